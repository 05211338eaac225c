/**
 * container-coherence (sPAPR): once a kill completes, every group of a container translates each
 * IOBA as the container's shared table does: no group keeps a cached TCE that differs from the
 * table (a stale one would let its device reach a page the table no longer maps).
 */
import { addrOf } from '../src/memory/constants.js';
import { spaprEntries } from '../src/spapr/container.js';
import { hex } from '../src/util/hex.js';
import type { Invariant, Violation } from './types.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

export const containerCoherence: Invariant = {
  name: 'container-coherence',
  kind: 'invariant',
  reads: ['containers', 'frames', 'groups'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: "every group's cached TCEs equal the container's shared table",
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    for (const c of w.containers.values()) {
      if (!c.spapr) continue;
      const table = new Map(spaprEntries(w, c.spapr).map((e) => [e.iobaPage, e]));
      for (const gid of c.groups) {
        for (const [page, t] of w.groups.get(gid)!.tceCache) {
          const e = table.get(page);
          if (!e || e.pfn !== t.pfn || e.read !== t.read || e.write !== t.write) {
            out.push({ property: this.name, message: `group ${gid} caches IOBA ${hex(addrOf(page))} as frame ${hex(t.pfn)} but ${c.id}'s table ${e ? `maps frame ${hex(e.pfn)}` : 'has no entry'}` });
          }
        }
      }
    }
    return out;
  },
};
