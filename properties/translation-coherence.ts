/**
 * translation-coherence (s390): after an RPCIT over a range ends with cc 0, the host translation
 * of every IOVA in it equals the guest table's translation through the memslots, protection
 * included (a read-only guest entry is never writable on the host). The promise lasts until the
 * guest next writes its memory.
 */
import { addrOf, pageOf } from '../src/memory/constants.js';
import { guestTranslations } from '../src/iommu/s390/guest-walk.js';
import { guestRamPage, guestResolver } from '../src/s390/guest-memory.js';
import { hex } from '../src/util/hex.js';
import type { Property, Violation } from './types.js';

export const translationCoherence: Property = {
  name: 'translation-coherence',
  kind: 'invariant',
  description: 'after a successful RPCIT the host translates the range exactly as the guest tables do',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    for (const f of w.zpci.values()) {
      const r = f.refreshed;
      const vm = w.vms.get(f.vm);
      if (!r || !f.ioat || !vm) continue;
      const domainId = w.containers.get(f.container)?.iommu?.domain;
      const leaves = view.domainLeaves().find((d) => d.domain.id === domainId)?.leaves ?? [];
      const mm = w.mms.get(vm.mm)!;
      const host = new Map(leaves.filter((l) => addrOf(l.iovaPage) >= r.start && addrOf(l.iovaPage) < r.end).map((l) => [addrOf(l.iovaPage), l.t]));
      const guest = guestTranslations(w.frames, guestResolver(w, vm), f.ioat.iota, r.start, r.end);
      for (const iova of new Set([...host.keys(), ...guest.keys()])) {
        const g = guest.get(iova);
        const h = host.get(iova);
        const vpage = g ? guestRamPage(w, vm, pageOf(g.translated)) : undefined;
        const want = vpage !== undefined ? mm.pages.get(vpage) : undefined;
        const wantWrite = g?.perm === 'rw';
        const got = h ? `frame ${hex(h.pfn)} ${h.write ? 'rw' : 'ro'}` : 'nothing';
        const expected = want !== undefined ? `frame ${hex(want)} ${wantWrite ? 'rw' : 'ro'}` : 'nothing';
        if (got !== expected) {
          out.push({ property: this.name, message: `function ${f.id} IOVA ${hex(iova)}: host maps ${got} but the guest table gives ${expected}` });
        }
      }
    }
    return out;
  },
};
