/**
 * shared-stage2-populated: while an IOMMU walks a VM's stage-2 table, every page of every memslot
 * has a present leaf pointing at the frame KVM pinned for it, and that frame still has a pin.
 * Devices take no translation faults, so a page KVM zapped (for a notifier, a write-protection,
 * anything) is a DMA that fails although the guest mapped the memory.
 */
import { addrOf } from '../src/memory/constants.js';
import { hex } from '../src/util/hex.js';
import { s2Lookup } from '../src/kvm/stage2/table.js';
import type { Property, Violation } from './types.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

export const sharedStage2Populated: Property = {
  name: 'shared-stage2-populated',
  kind: 'invariant',
  reads: ['frames', 'pins', 'vms'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: 'a stage-2 table shared with an IOMMU maps every guest page to its pinned frame',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    for (const vm of w.vms.values()) {
      if (!vm.shared) continue;
      for (const s of vm.slots) {
        for (let p = s.gpaPage; p < s.gpaPage + s.pages; p++) {
          const where = `${vm.id} GPA ${hex(addrOf(p))}`;
          const pinned = vm.shared.pins.get(p);
          const t = s2Lookup(w, vm, p);
          if (pinned === undefined) out.push({ property: this.name, message: `${where} is not pinned for the shared table` });
          else if (!t) out.push({ property: this.name, message: `${where} has no leaf in the shared table (frame ${hex(pinned)} is pinned for it)` });
          else if (t.pfn !== pinned) out.push({ property: this.name, message: `${where} maps frame ${hex(t.pfn)}, not its pinned frame ${hex(pinned)}` });
          else if ((w.pins.get(pinned) ?? 0) <= 0) out.push({ property: this.name, message: `${where} maps frame ${hex(pinned)} whose pin count is 0` });
        }
      }
    }
    return out;
  },
};
