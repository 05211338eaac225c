/**
 * A guest CPU access to one page of an x86 VM, through KVM's stage-2 table: a present leaf
 * serves it; a missing leaf is a fault KVM resolves by faulting the VMM page in and installing a
 * leaf; a write to a write-protected leaf is a write-protection fault, which logs the page dirty
 * and makes the leaf writable. While the slot logs, read faults install read-only leaves so the
 * first write still faults.
 */
import type { Mm } from '../../memory/mm.js';
import { touchPage } from '../../model/pages.js';
import type { Memslot, Vm, World } from '../../model/world.js';
import { logsByDirtyBits, markDirty, noteWritten } from '../dirty-log.js';
import { s2Install, s2Lookup, s2MakeWritable, s2SetDirty } from './table.js';
import { KVM_MEM_READONLY } from '../memslot-flags.js';

/** The frame the access reaches, or undefined for a read of a never-touched page (the zero page, nothing mapped). */
export function s2Access(w: World, vm: Vm, mm: Mm, slot: Memslot, gpaPage: number, write: boolean): number | undefined {
  const h = slot.hvaPage + (gpaPage - slot.gpaPage);
  if (write) noteWritten(slot, gpaPage);
  const t = s2Lookup(w, vm, gpaPage);
  // the dirty-bits design: the leaf stays writable and the CPU sets its D bit.
  if (t && write && t.write && logsByDirtyBits(w, vm)) s2SetDirty(w, vm, gpaPage);
  if (t) {
    if (write && !t.write) {
      markDirty(slot, gpaPage);
      s2MakeWritable(w, vm, gpaPage);
    }
    return t.pfn;
  }
  if (!write && !mm.pages.has(h)) return undefined;
  const pfn = touchPage(w, mm, h);
  s2Install(w, vm, gpaPage, pfn, (write || slot.dirty === undefined) && (slot.flags & KVM_MEM_READONLY) === 0);
  if (write) markDirty(slot, gpaPage);
  return pfn;
}
