/**
 * dirty-tracking-complete: while a memslot logs dirty pages, every page written through KVM's
 * stage-2 translation (by the guest CPU, or by a device whose IOMMU walks the shared stage-2) is
 * in KVM's dirty bitmap or has its D bit set for KVM to harvest, so the next KVM_GET_DIRTY_LOG
 * reports it. A page a migration never
 * re-sends because its write went unlogged arrives at the destination stale.
 *
 * The written pages are the model's ghost record (Memslot.written). Writes by devices behind a
 * VFIO type1 or SVA translation are VFIO's or the IOMMU's to log, not KVM's, and are out of scope.
 */
import { addrOf } from '../src/memory/constants.js';
import { hex } from '../src/util/hex.js';
import { s2IsDirty } from '../src/kvm/stage2/table.js';
import type { Property, Violation } from './types.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

export const dirtyTrackingComplete: Property = {
  name: 'dirty-tracking-complete',
  kind: 'invariant',
  reads: ['frames', 'vms'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: 'while dirty logging is on, every page written through KVM stage-2 is in the dirty bitmap',
  check(view) {
    const out: Violation[] = [];
    for (const vm of view.w.vms.values()) {
      for (const s of vm.slots) {
        if (!s.written || !s.dirty) continue;
        for (const i of s.written) {
          // KVM knows of a page from its bitmap, or (dirty-bits design) from the leaf's D bit it will harvest.
          if (!s.dirty.has(i) && !s2IsDirty(view.w, vm, s.gpaPage + i)) {
            out.push({ property: this.name, message: `${vm.id} slot ${s.slot} GPA ${hex(addrOf(s.gpaPage + i))} was written while logging but is neither in the dirty bitmap nor marked by its D bit` });
          }
        }
      }
    }
    return out;
  },
};
