/**
 * KVM VM: creation, memslots (KVM_SET_USER_MEMORY_REGION checks of virt/kvm/kvm_main.c
 * `__kvm_set_memory_region`), close and reference drops, and guest memory access through the
 * memslots to the VMM's pages.
 */
import { lastPageOf, PAGE_MASK_N, PAGE_SIZE, pageOf, pageOffset } from '../memory/constants.js';
import { frameForRead, frameForWrite } from '../memory/frames.js';
import { copyBytes } from '../memory/bits.js';
import { firstUnmapped, type Mm } from '../memory/mm.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { Memslot, Vm, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { stepAssociation } from '../ops/select.js';
import type { KvmOps } from '../ops/types.js';
import { U64_MAX } from '../util/hex.js';
import { KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY } from './memslot-flags.js';
import { KVM_MEM_MAX_NR_PAGES, KVM_USER_MEM_SLOTS, markDirty, noteWritten, slotOf, stepVm } from './memslots.js';
import { setSlotFlags } from './dirty-log.js';
import { S2_MAX_GFN_PAGES, s2Free } from './stage2/table.js';

const VM = TABLES['kvm-vm'];
/** The flags this model accepts. */
const VALID_SLOT_FLAGS = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;

/** Deletes a slot: a shared table's pins go, KVM zaps its stage-2 leaves and flushes before the pages go. */
function removeSlot(w: World, vm: Vm, s: Memslot): void {
  const ops = opsOf(w);
  ops.kvm_stage2_share.slot_removed(w, vm, s);
  ops.kvm_mmu.flush_shadow_memslot(w, vm, s);
  vm.slots.splice(vm.slots.indexOf(s), 1);
}

/** Resolves every guest page of [gpa, gpa+len) to its slot (the `i`th holds page pageOf(gpa) + i), or EFAULT. */
function resolveGuestRange(w: World, vm: Vm, gpa: bigint, len: number): Memslot[] | Outcome {
  const mm = w.mms.get(vm.mm)!;
  const last = lastPageOf(gpa, len);
  if (last === undefined) return refused('EFAULT');
  const first = pageOf(gpa);
  // nearly every access is within one page: a one-slot list, not an empty one grown by a push.
  let slots: Memslot[] | undefined;
  for (let p = first; p <= last; p++) {
    const slot = slotOf(vm, p);
    if (slot === undefined || firstUnmapped(mm, slot.hvaPage + (p - slot.gpaPage), 1) >= 0) return refused('EFAULT');
    if (slots) slots.push(slot);
    else slots = [slot];
  }
  return slots!;
}

/** The frame a guest access to one page reaches: through KVM's stage-2 table on x86, else straight through the memslot. */
function accessPage(w: World, vm: Vm, mm: Mm, gpaPage: number, slot: Memslot, write: boolean): number | undefined {
  if (w.arch === 'x86') return opsOf(w).kvm_mmu.page_fault(w, vm, mm, slot, gpaPage, write);
  const h = slot.hvaPage + (gpaPage - slot.gpaPage);
  if (!write) return mm.pages.get(h);
  // no stage-2 table is modelled on s390 and POWER: every guest write is logged directly.
  noteWritten(slot, gpaPage);
  markDirty(slot, gpaPage);
  return opsOf(w).mm.fault_in(w, mm, h);
}

export const KVM_VM_OPS: Pick<KvmOps, 'create_vm' | 'set_user_memory_region' | 'close_vm' | 'guest_access' | 'get_kvm' | 'put_kvm'> = {
  create_vm(w, e) {
    if (!w.mms.has(e.mm)) return refused('ESRCH');
    if (w.vms.has(e.vm)) return refused('ID_IN_USE');
    w.vms.set(e.vm, { id: e.vm, mm: e.mm, lc: VM.initial, slots: [], refs: 0 });
    return OK;
  },

  set_user_memory_region(w, e) {
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
      removeSlot(w, vm, vm.slots[idx]);
      return OK;
    }
    const gpaPage = pageOf(e.gpa);
    const pages = pageOf(e.size);
    const hvaPage = pageOf(e.hva);
    if (pages > KVM_MEM_MAX_NR_PAGES) return refused('EINVAL');
    if (idx >= 0) {
      const old = vm.slots[idx];
      // only flags may change on an existing slot; moving or resizing needs delete + create.
      if (old.gpaPage !== gpaPage || old.pages !== pages || old.hvaPage !== hvaPage) return refused('EINVAL');
      // KVM_MEM_READONLY cannot change on an existing slot (__kvm_set_memory_region).
      if ((old.flags ^ e.flags) & KVM_MEM_READONLY) return refused('EINVAL');
      return setSlotFlags(w, vm, old, e.flags);
    }
    // x86 refuses guest frames its stage-2 table cannot map (kvm_arch_prepare_memory_region).
    if (w.arch === 'x86' && gpaPage + pages > S2_MAX_GFN_PAGES) return refused('EINVAL');
    if (vm.slots.some((s) => s.gpaPage < gpaPage + pages && gpaPage < s.gpaPage + s.pages)) return refused('EEXIST');
    const logging = (e.flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0;
    const slot: Memslot = { slot: e.slot, flags: e.flags, gpaPage, pages, hvaPage, ...(logging ? { dirty: new Set<number>(), written: new Set<number>() } : {}) };
    const ops = opsOf(w);
    if (logging && ops.kvm_mmu.dirty_log_mode(w, vm) === 'refused') return refused('EINVAL');
    vm.slots.push(slot);
    vm.slots.sort((a, b) => a.gpaPage - b.gpaPage);
    const bad = ops.kvm_stage2_share.slot_added(w, vm, slot);
    // the pin check runs with the slot in place (it resolves guest pages) and takes it out again.
    if (bad) vm.slots.splice(vm.slots.indexOf(slot), 1);
    return bad ?? OK;
  },

  close_vm(w, e) {
    const vm = w.vms.get(e.vm);
    if (!vm) return refused('EBADF');
    const r = stepVm(vm, vm.refs === 0 ? 'CLOSE_LAST_REF' : 'CLOSE_WITH_REFS');
    if (r) return r;
    if (vm.lc === 'destroyed') vmDestroyed(w, vm);
    return OK;
  },

  guest_access(w, vmId, gpa, len, data) {
    const vm = w.vms.get(vmId);
    if (!vm) return refused('EBADF');
    const st = VM.step(vm.lc, 'GUEST_RUN');
    if (st.code) return refused(st.code);
    if (len === 0) return data ? OK : { code: 'OK', data: new Uint8Array(0) };
    const slots = resolveGuestRange(w, vm, gpa, len);
    if (!Array.isArray(slots)) return slots;
    // a write to a read-only slot is an MMIO exit to the VMM, which the model does not emulate.
    if (data) for (const slot of slots) if ((slot.flags & KVM_MEM_READONLY) !== 0) return refused('EFAULT');
    const mm = w.mms.get(vm.mm)!;
    const out = data ? undefined : new Uint8Array(len);
    const first = pageOf(gpa);
    let off = pageOffset(gpa);
    let done = 0;
    for (let i = 0; i < slots.length; i++) {
      const n = Math.min(PAGE_SIZE - off, len - done);
      const pfn = accessPage(w, vm, mm, first + i, slots[i], data !== undefined);
      if (data) copyBytes(frameForWrite(w.frames, pfn!, off, n), off, data, done, n);
      // a read of an untouched page sees zeros without allocating (KVM maps the zero page).
      else if (pfn !== undefined) out!.set(frameForRead(w.frames, pfn).subarray(off, off + n), done);
      done += n;
      off = 0;
    }
    return out ? { code: 'OK', data: out } : OK;
  },

  get_kvm(w, vmId) {
    const vm = w.vms.get(vmId);
    if (vm) vm.refs++;
  },

  put_kvm(w, vmId) {
    const vm = w.vms.get(vmId);
    if (!vm) return;
    vm.refs--;
    if (vm.lc !== 'closing') return;
    stepVm(vm, vm.refs === 0 ? 'PUT_LAST' : 'PUT_OTHER');
    // stepVm moved it on: read the state afresh.
    if ((vm.lc as string) === 'destroyed') vmDestroyed(w, vm);
  },
};

/** kvm_destroy_vm: the stage-2 table goes, and every device still associated with the VM hears of it. */
function vmDestroyed(w: World, vm: Vm): void {
  s2Free(w, vm);
  for (const dev of w.devices.values()) if ((dev.kvm ?? dev.kzdev?.kvm) === vm.id) stepAssociation(w, dev, 'VM_DESTROYED');
}
