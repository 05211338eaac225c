/**
 * KVM dirty logging: KVM_MEM_LOG_DIRTY_PAGES on a memslot and KVM_GET_DIRTY_LOG
 * (virt/kvm/kvm_main.c `kvm_get_dirty_log_protect`, x86 `kvm_mmu_slot_apply_flags`). Turning
 * logging on allocates the slot's bitmap and write-protects its stage-2 leaves, so the next guest
 * write to each page faults and is logged; GET returns the bitmap, clears it and re-arms the
 * reported pages (kvm_mmu.rearm_dirty_log).
 */
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { Memslot, Vm, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { KvmOps } from '../ops/types.js';
import { KVM_USER_MEM_SLOTS, stepVm } from './memslots.js';
import { s2SlotPages, s2TestAndClearDirty, s2WriteProtect } from './stage2/table.js';
import { KVM_MEM_LOG_DIRTY_PAGES } from './memslot-flags.js';

/** The slot's pages whose leaves have D set, cleared as they are read (the harvest of the dirty-bits design). */
function harvestDirtyBits(w: World, vm: Vm, s: Memslot): number[] {
  return s2SlotPages(w, vm, s).filter((p) => s2TestAndClearDirty(w, vm, p)).map((p) => p - s.gpaPage);
}

/**
 * Applies new flags to an existing slot (KVM_SET_USER_MEMORY_REGION on the same range, or
 * vmm.kvm.dirty_log.enable). KVM refuses LOG_DIRTY_PAGES where it cannot log (dirty_log_mode
 * 'refused'), as check_memory_region_flags does for VMs whose memory it cannot write-protect.
 */
export function setSlotFlags(w: World, vm: Vm, s: Memslot, flags: number): Outcome {
  const ops = opsOf(w);
  const on = (flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0;
  const was = s.dirty !== undefined;
  const mode = ops.kvm_mmu.dirty_log_mode(w, vm);
  if (on && !was && mode === 'refused') return refused('EINVAL');
  s.flags = flags;
  if (on && !was) {
    s.dirty = new Set();
    if (mode === 'dirty-bits') {
      // a clean start: D bits set before logging began say nothing, and the IOTLB must forget them.
      harvestDirtyBits(w, vm, s);
      ops.kvm_mmu.flush_remote_tlbs(w, vm);
    } else {
      let changed = 0;
      for (const p of s2SlotPages(w, vm, s)) if (s2WriteProtect(w, vm, p)) changed++;
      if (changed > 0) ops.kvm_mmu.flush_remote_tlbs_memslot(w, vm, s);
    }
    // the promise starts when the ioctl returns: a write racing the enable is the VMM's first copy's.
    s.written = new Set();
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

export const KVM_DIRTY_LOG_OPS: Pick<KvmOps, 'dirty_log_enable' | 'dirty_log_get'> = {
  dirty_log_enable(w, e) {
    const r = slotIoctl(w, e.vm, e.slot);
    if ('code' in r) return r;
    const { vm, s } = r;
    if (!s) return refused('EINVAL');
    return setSlotFlags(w, vm, s, s.flags | KVM_MEM_LOG_DIRTY_PAGES);
  },

  /** KVM_GET_DIRTY_LOG: the bitmap as little-endian longs, one bit per page of the slot. */
  dirty_log_get(w, e) {
    const r = slotIoctl(w, e.vm, e.slot);
    if ('code' in r) return r;
    const { vm, s } = r;
    if (!s?.dirty) return refused('ENOENT');
    const ops = opsOf(w);
    const bitmap = new Uint8Array(Math.ceil(s.pages / 64) * 8);
    if (ops.kvm_mmu.dirty_log_mode(w, vm) === 'dirty-bits') for (const i of harvestDirtyBits(w, vm, s)) s.dirty.add(i);
    for (const i of s.dirty) bitmap[i >> 3] |= 1 << (i & 7);
    const reported = [...s.dirty].map((i) => s.gpaPage + i);
    s.dirty = new Set();
    ops.kvm_mmu.rearm_dirty_log(w, vm, s, reported);
    // a write before the reported pages are re-armed lands before the VMM copies them: it is not lost.
    s.written = new Set();
    return { code: 'OK', data: bitmap };
  },
};
