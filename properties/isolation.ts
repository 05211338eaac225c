/**
 * isolation: a device's translations reach only frames backing memory of the process that owns
 * its container, never another process's pages or the kernel's own frames (IOMMU tables).
 */
import { hex } from '../src/util/hex.js';
import { addrOf } from '../src/memory/constants.js';
import { anonOwner, TABLE_OWNERS } from '../src/memory/owners.js';
import type { Invariant, Violation } from './types.js';
import { spaprEntries } from '../src/spapr/container.js';

export const isolation: Invariant = {
  name: 'isolation',
  kind: 'invariant',
  reads: ['containers', 'domains', 'frames', 'groups'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: "a device reaches only frames of its container owner's memory",
  // everything it states is what a device would use at once.
  device(view) {
    return this.check(view);
  },
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const leavesByDomain = new Map(view.domainLeaves().map((d) => [d.domain.id, d]));
    for (const g of w.groups.values()) {
      if (g.dmaLc !== 'unmanaged' || g.domain === undefined) continue;
      const d = leavesByDomain.get(g.domain);
      if (!d || !d.container) continue;
      const allowed = anonOwner(d.container.mm);
      for (const { iovaPage, t } of d.leaves) {
        const owner = w.frames.owner.get(t.pfn);
        if (owner !== allowed) {
          out.push({
            property: this.name,
            message: `group ${g.id} IOVA ${hex(addrOf(iovaPage))} reaches frame ${hex(t.pfn)} owned by ${owner ?? 'nobody (free)'}, not ${allowed}`,
          });
        }
      }
    }
    for (const c of w.containers.values()) {
      if (!c.spapr) continue;
      const allowed = anonOwner(c.mm);
      for (const e of spaprEntries(w, c.spapr)) {
        const owner = w.frames.owner.get(e.pfn);
        if (owner !== allowed) out.push({ property: this.name, message: `${c.id} IOBA ${hex(addrOf(e.iobaPage))} reaches frame ${hex(e.pfn)} owned by ${owner ?? 'nobody (free)'}, not ${allowed}` });
      }
    }
    return out;
  },
};
