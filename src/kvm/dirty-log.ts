/**
 * KVM dirty logging: KVM_MEM_LOG_DIRTY_PAGES on a memslot and KVM_GET_DIRTY_LOG
 * (virt/kvm/kvm_main.c `kvm_get_dirty_log_protect`, x86 `kvm_mmu_slot_apply_flags`). Turning
 * logging on allocates the slot's bitmap and write-protects its stage-2 leaves, so the next guest
 * write to each page faults and is logged; GET returns the bitmap, clears it and write-protects
 * the reported pages again.
 */
import type { EventOf } from '../events/types.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { Memslot, Vm, World } from '../model/world.js';
import { KVM_USER_MEM_SLOTS, stepVm } from './vm.js';
import { s2SlotPages, s2TestAndClearDirty, s2WriteProtect } from './stage2/table.js';
import { pointsOf } from '../model/variant.js';
import { sharedDomainOf, stage2Flushed } from './stage2/shared.js';
import { KVM_MEM_LOG_DIRTY_PAGES } from './memslot-flags.js';

/** Write-protects every present leaf of a slot; returns how many changed. */
function protectSlot(w: World, vm: Vm, s: Memslot): number {
  let n = 0;
  for (const p of s2SlotPages(w, vm, s)) if (s2WriteProtect(w, vm, p)) n++;
  return n;
}

/** Whether KVM refuses to start logging on this VM: its table is walked by an IOMMU (see setSlotFlags). */
export function dirtyLogRefused(w: World, vm: Vm): boolean {
  const pts = pointsOf(w);
  return sharedDomainOf(w, vm) !== undefined && !pts.stage2SharedDirtyLog && !pts.stage2DirtyBits;
}

/** Whether the VM logs through its table's dirty bits (a shared table under the dirty-bits design). */
export function logsByDirtyBits(w: World, vm: Vm): boolean {
  return sharedDomainOf(w, vm) !== undefined && pointsOf(w).stage2DirtyBits === true;
}

/** The slot's pages whose leaves have D set, cleared as they are read (the harvest of the dirty-bits design). */
function harvestDirtyBits(w: World, vm: Vm, s: Memslot): number[] {
  return s2SlotPages(w, vm, s).filter((p) => s2TestAndClearDirty(w, vm, p)).map((p) => p - s.gpaPage);
}

/**
 * Applies new flags to an existing slot (KVM_SET_USER_MEMORY_REGION on the same range, or
 * vmm.kvm.dirty_log.enable). A stage-2 table an IOMMU walks cannot be write-protected: devices
 * take no write-protection faults, so their writes would never be logged. KVM refuses, as it
 * refuses LOG_DIRTY_PAGES for VMs whose memory it cannot write-protect (check_memory_region_flags).
 */
export function setSlotFlags(w: World, vm: Vm, s: Memslot, flags: number): Outcome {
  const on = (flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0;
  const was = s.dirty !== undefined;
  if (on && !was && dirtyLogRefused(w, vm)) return refused('EINVAL');
  s.flags = flags;
  if (on && !was) {
    s.dirty = new Set();
    s.written = new Set();
    if (logsByDirtyBits(w, vm)) {
      // a clean start: D bits set before logging began say nothing, and the IOTLB must forget them.
      harvestDirtyBits(w, vm, s);
      stage2Flushed(w, vm);
    } else if (protectSlot(w, vm, s) > 0) stage2Flushed(w, vm, !pointsOf(w).stage2SharedDirtyLog);
  } else if (!on && was) {
    // leaves stay write-protected until their next write fault, which no longer logs.
    s.dirty = undefined;
    s.written = undefined;
  }
  return OK;
}

/** The checks both dirty-log ioctls make: the VM fd, then the slot id's range; the slot may be absent. */
function slotIoctl(w: World, vmId: string, slot: number): { vm: Vm; s: Memslot | undefined } | Outcome {
  const vm = w.vms.get(vmId);
  if (!vm) return refused('EBADF');
  const r = stepVm(vm, 'VM_IOCTL');
  if (r) return r;
  if (slot >= KVM_USER_MEM_SLOTS) return refused('EINVAL');
  return { vm, s: vm.slots.find((x) => x.slot === slot) };
}

export function dirtyLogEnable(w: World, e: EventOf<'vmm.kvm.dirty_log.enable'>): Outcome {
  const r = slotIoctl(w, e.vm, e.slot);
  if ('code' in r) return r;
  const { vm, s } = r;
  if (!s) return refused('EINVAL');
  return setSlotFlags(w, vm, s, s.flags | KVM_MEM_LOG_DIRTY_PAGES);
}

/** KVM_GET_DIRTY_LOG: the bitmap as little-endian longs, one bit per page of the slot. */
export function dirtyLogGet(w: World, e: EventOf<'vmm.kvm.dirty_log.get'>): Outcome {
  const r = slotIoctl(w, e.vm, e.slot);
  if ('code' in r) return r;
  const { vm, s } = r;
  if (!s?.dirty) return refused('ENOENT');
  const bitmap = new Uint8Array(Math.ceil(s.pages / 64) * 8);
  const byBits = logsByDirtyBits(w, vm);
  if (byBits) for (const i of harvestDirtyBits(w, vm, s)) s.dirty.add(i);
  let reprotected = 0;
  for (const i of s.dirty) {
    bitmap[i >> 3] |= 1 << (i & 7);
    if (!byBits && s2WriteProtect(w, vm, s.gpaPage + i)) reprotected++;
  }
  s.dirty = new Set();
  s.written = new Set();
  // cleared D bits must leave the IOTLB too, or a device's next write finds its entry already dirty.
  if (byBits ? !pointsOf(w).stage2DirtyClearNoFlush : reprotected > 0) stage2Flushed(w, vm, byBits || !pointsOf(w).stage2SharedDirtyLog);
  return { code: 'OK', data: bitmap };
}

/** Marks a slot page dirty (KVM's mark_page_dirty_in_slot); nothing while logging is off. */
export function markDirty(s: Memslot, gpaPage: number): void {
  s.dirty?.add(gpaPage - s.gpaPage);
}

/** Records in the ghost set that a page was written while logging is on. */
export function noteWritten(s: Memslot, gpaPage: number): void {
  s.written?.add(gpaPage - s.gpaPage);
}
