/**
 * A guest CPU access to one page of an x86 VM, through KVM's stage-2 table: a present leaf
 * serves it; a missing leaf is a fault KVM resolves by faulting the VMM page in and installing a
 * leaf; a write to a write-protected leaf is a write-protection fault, which logs the page dirty
 * and makes the leaf writable. While the slot logs, read faults install read-only leaves so the
 * first write still faults.
 */
import { opsOf } from '../../ops/registry.js';
import type { KvmMmuOps } from '../../ops/types.js';
import { markDirty, noteWritten } from '../memslots.js';
import { KVM_MEM_READONLY } from '../memslot-flags.js';
import { s2Install, s2Lookup, s2MakeWritable, s2SetDirty } from './table.js';

/** kvm_mmu_page_fault (and the fast path of a present leaf): the frame the access reaches. */
export const pageFault: KvmMmuOps['page_fault'] = (w, vm, mm, slot, gpaPage, write) => {
  const h = slot.hvaPage + (gpaPage - slot.gpaPage);
  if (write) noteWritten(slot, gpaPage);
  const t = s2Lookup(w, vm, gpaPage);
  // the dirty-bits design: the leaf stays writable and the CPU sets its D bit.
  if (t && write && t.write && opsOf(w).kvm_mmu.dirty_log_mode(w, vm) === 'dirty-bits') s2SetDirty(w, vm, gpaPage);
  if (t) {
    if (write && !t.write) {
      markDirty(slot, gpaPage);
      s2MakeWritable(w, vm, gpaPage);
    }
    return t.pfn;
  }
  if (!write && !mm.pages.has(h)) return undefined;
  const pfn = opsOf(w).mm.fault_in(w, mm, h);
  s2Install(w, vm, gpaPage, pfn, (write || slot.dirty === undefined) && (slot.flags & KVM_MEM_READONLY) === 0);
  if (write) markDirty(slot, gpaPage);
  return pfn;
};
