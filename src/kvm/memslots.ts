/**
 * A VM's memslots as lookups and the slot's dirty records: guest page to VMM page, the slot of a
 * guest page, and the bitmap (KVM's) and ghost record (the property's) of pages written while the
 * slot logs. Pure lookups and record updates; the ops build on them.
 */
import { TABLES } from '../../machines/index.js';
import { refused, type Outcome } from '../model/outcome.js';
import type { Memslot, Vm } from '../model/world.js';

const VM = TABLES['kvm-vm'];
/** KVM_USER_MEM_SLOTS on x86 (KVM_MAX_NR_ADDRESS_SPACES aside). */
export const KVM_USER_MEM_SLOTS = 32764;
/** KVM_MEM_MAX_NR_PAGES (include/linux/kvm_host.h): a memslot holds fewer than 2^31 pages. */
export const KVM_MEM_MAX_NR_PAGES = 2 ** 31 - 1;

/** Steps a VM's machine; returns a refusal outcome, or undefined after committing. */
export function stepVm(vm: Vm, event: string): Outcome | undefined {
  const st = VM.step(vm.lc, event);
  if (st.code) return refused(st.code);
  vm.lc = st.target;
  return undefined;
}

/** The VMM virtual page behind a guest page, or undefined outside every memslot. */
export function gpaToHvaPage(vm: Vm, gpaPage: number): number | undefined {
  const slot = slotOf(vm, gpaPage);
  return slot === undefined ? undefined : slot.hvaPage + (gpaPage - slot.gpaPage);
}

/** The memslot holding a guest page. */
export function slotOf(vm: Vm, gpaPage: number): Memslot | undefined {
  // an indexed loop: every guest access asks, and neither a closure nor an iterator is wanted per call.
  const slots = vm.slots;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i];
    if (gpaPage >= s.gpaPage && gpaPage < s.gpaPage + s.pages) return s;
  }
  return undefined;
}

/** Marks a slot page dirty (KVM's mark_page_dirty_in_slot); nothing while logging is off. */
export function markDirty(s: Memslot, gpaPage: number): void {
  s.dirty?.add(gpaPage - s.gpaPage);
}

/** Records in the ghost set that a page was written while logging is on. */
export function noteWritten(s: Memslot, gpaPage: number): void {
  s.written?.add(gpaPage - s.gpaPage);
}
