/**
 * KVM VM: creation, memslots (KVM_SET_USER_MEMORY_REGION checks of virt/kvm/kvm_main.c
 * `__kvm_set_memory_region`), close and reference drops, and guest memory access through the
 * memslots to the VMM's pages.
 */
import { PAGE_MASK_N, PAGE_SIZE, pageOf } from '../memory/constants.js';
import { frameForRead, frameForWrite } from '../memory/frames.js';
import { firstUnmapped } from '../memory/mm.js';
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import { touchPage } from '../model/pages.js';
import type { Memslot, Vm, World } from '../model/world.js';
import { U64_MAX } from '../util/hex.js';

const VM = TABLES['kvm-vm'];
/** KVM_USER_MEM_SLOTS on x86 (KVM_MAX_NR_ADDRESS_SPACES aside). */
export const KVM_USER_MEM_SLOTS = 32764;
/** KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY: the flags this model accepts. */
const VALID_SLOT_FLAGS = 0x3;

export function createVm(w: World, e: EventOf<'vmm.kvm.create_vm'>): Outcome {
  if (!w.mms.has(e.mm)) return refused('ESRCH');
  if (w.vms.has(e.vm)) return refused('EEXIST');
  w.vms.set(e.vm, { id: e.vm, mm: e.mm, lc: VM.initial, slots: [], refs: 0 });
  return OK;
}

/** Steps a VM's machine; returns a refusal outcome or undefined after committing. */
export function stepVm(vm: Vm, event: string): Outcome | undefined {
  const st = VM.step(vm.lc, event);
  if (st.code) return refused(st.code);
  vm.lc = st.target;
  return undefined;
}

export function setUserMemoryRegion(w: World, e: EventOf<'vmm.kvm.set_user_memory_region'>): Outcome {
  const vm = w.vms.get(e.vm);
  if (!vm) return refused('EBADF');
  const st = VM.step(vm.lc, 'VM_IOCTL');
  if (st.code) return refused(st.code);
  if (e.flags & ~VALID_SLOT_FLAGS) return refused('EINVAL');
  if (e.slot >= KVM_USER_MEM_SLOTS) return refused('EINVAL');
  if ((e.size & PAGE_MASK_N) !== 0n || (e.gpa & PAGE_MASK_N) !== 0n || (e.hva & PAGE_MASK_N) !== 0n) return refused('EINVAL');
  if (e.gpa + e.size - 1n > U64_MAX && e.size !== 0n) return refused('EINVAL');
  if (e.hva + e.size - 1n > U64_MAX && e.size !== 0n) return refused('EINVAL');
  const idx = vm.slots.findIndex((s) => s.slot === e.slot);
  if (e.size === 0n) {
    if (idx < 0) return refused('EINVAL');
    vm.slots.splice(idx, 1);
    return OK;
  }
  const gpaPage = pageOf(e.gpa);
  const pages = pageOf(e.size);
  const hvaPage = pageOf(e.hva);
  if (idx >= 0) {
    const old = vm.slots[idx];
    // only flags may change on an existing slot; moving or resizing needs delete + create.
    if (old.gpaPage !== gpaPage || old.pages !== pages || old.hvaPage !== hvaPage) return refused('EINVAL');
    vm.slots[idx] = { ...old, flags: e.flags };
    return OK;
  }
  if (vm.slots.some((s) => s.gpaPage < gpaPage + pages && gpaPage < s.gpaPage + s.pages)) return refused('EEXIST');
  const slot: Memslot = { slot: e.slot, flags: e.flags, gpaPage, pages, hvaPage };
  vm.slots.push(slot);
  vm.slots.sort((a, b) => a.gpaPage - b.gpaPage);
  return OK;
}

/** Drops one reference on a VM (KVM-VFIO device release, a device's kvm put). */
export function vmPut(w: World, vmId: string): void {
  const vm = w.vms.get(vmId);
  if (!vm) return;
  vm.refs--;
  if (vm.lc === 'closing') stepVm(vm, vm.refs === 0 ? 'PUT_LAST' : 'PUT_OTHER');
}

export function vmGet(w: World, vmId: string): void {
  const vm = w.vms.get(vmId);
  if (vm) vm.refs++;
}

export function closeVm(w: World, e: EventOf<'vmm.kvm.close_vm'>): Outcome {
  const vm = w.vms.get(e.vm);
  if (!vm) return refused('EBADF');
  const r = stepVm(vm, vm.refs === 0 ? 'CLOSE_LAST_REF' : 'CLOSE_WITH_REFS');
  return r ?? OK;
}

/** The VMM virtual page behind a guest page, or undefined outside every memslot. */
export function gpaToHvaPage(vm: Vm, gpaPage: number): number | undefined {
  for (const s of vm.slots) if (gpaPage >= s.gpaPage && gpaPage < s.gpaPage + s.pages) return s.hvaPage + (gpaPage - s.gpaPage);
  return undefined;
}

/** Resolves every guest page of [gpa, gpa+len) to its hva page, or EFAULT. */
function resolveGuestRange(w: World, vm: Vm, gpa: bigint, len: number): number[] | Outcome {
  const mm = w.mms.get(vm.mm)!;
  if (gpa + BigInt(len) - 1n > U64_MAX) return refused('EFAULT');
  const first = pageOf(gpa);
  const last = pageOf(gpa + BigInt(len) - 1n);
  const hvas: number[] = [];
  for (let p = first; p <= last; p++) {
    const h = gpaToHvaPage(vm, p);
    if (h === undefined || firstUnmapped(mm, h, 1) >= 0) return refused('EFAULT');
    hvas.push(h);
  }
  return hvas;
}

/** The guest CPU reads or writes its memory; KVM faults pages in as needed. */
export function guestAccess(w: World, vmId: string, gpa: bigint, len: number, data?: Uint8Array): Outcome {
  const vm = w.vms.get(vmId);
  if (!vm) return refused('EBADF');
  const st = VM.step(vm.lc, 'GUEST_RUN');
  if (st.code) return refused(st.code);
  if (len === 0) return data ? OK : { code: 'OK', data: new Uint8Array(0) };
  const hvas = resolveGuestRange(w, vm, gpa, len);
  if (!Array.isArray(hvas)) return hvas;
  const mm = w.mms.get(vm.mm)!;
  const out = data ? undefined : new Uint8Array(len);
  let off = Number(gpa & PAGE_MASK_N);
  let done = 0;
  for (const h of hvas) {
    const n = Math.min(PAGE_SIZE - off, len - done);
    if (data) frameForWrite(w.frames, touchPage(w, mm, h)).set(data.subarray(done, done + n), off);
    else {
      // a read of an untouched page sees zeros without allocating (KVM maps the zero page).
      const pfn = mm.pages.get(h);
      if (pfn !== undefined) out!.set(frameForRead(w.frames, pfn).subarray(off, off + n), done);
    }
    done += n;
    off = 0;
  }
  return out ? { code: 'OK', data: out } : OK;
}
