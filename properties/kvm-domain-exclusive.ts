/**
 * kvm-domain-exclusive (s390 kvm-shadow): a KVM-owned domain (or one lent to KVM) changes only through KVM. Every
 * valid entry in its table is one KVM shadowed (same frame, same protection), every entry KVM
 * holds is in the table, and no userspace mapping exists in its container.
 */
import { addrOf } from '../src/memory/constants.js';
import { hex } from '../src/util/hex.js';
import type { Property, Violation } from './types.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

export const kvmDomainExclusive: Property = {
  name: 'kvm-domain-exclusive',
  kind: 'invariant',
  reads: ['containers', 'domains', 'frames', 'zpci'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: 'a KVM-owned IOMMU domain holds exactly the entries KVM shadowed',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const report = (message: string) => out.push({ property: this.name, message });
    for (const { domain, container, leaves } of view.domainLeaves()) {
      // a KVM-owned domain, or a paging domain lent to KVM (the flag design) while it is.
      if (domain.type !== 'kvm' && domain.owner !== 'lent') continue;
      if (container?.iommu?.dmas.length) report(`${domain.id} is ${domain.owner === 'lent' ? 'lent to KVM' : 'KVM-owned'} but container ${container.id} has ${container.iommu.dmas.length} userspace mappings`);
      const shadow = new Map<number, { pfn: number; write: boolean }>();
      for (const f of w.zpci.values()) if (f.container === domain.container) for (const [p, s] of f.shadow) shadow.set(p, s);
      for (const { iovaPage, t } of leaves) {
        const s = shadow.get(iovaPage);
        if (!s || s.pfn !== t.pfn || s.write !== t.write) {
          report(`${domain.id} IOVA ${hex(addrOf(iovaPage))} maps frame ${hex(t.pfn)} ${t.write ? 'rw' : 'ro'} that KVM did not shadow`);
        }
      }
      const present = new Set(leaves.map((l) => l.iovaPage));
      for (const [p, s] of shadow) if (!present.has(p)) report(`${domain.id} lost KVM's entry for IOVA ${hex(addrOf(p))} (frame ${hex(s.pfn)})`);
    }
    return out;
  },
};
