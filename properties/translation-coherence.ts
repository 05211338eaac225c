/**
 * translation-coherence (s390): after an RPCIT over a range ends with cc 0, the host translation
 * of every IOVA in it equals the guest table's translation through the memslots, protection
 * included (a read-only guest entry is never writable on the host). A property of that step.
 */
import { addrOf, pageOf } from '../src/memory/constants.js';
import { guestTranslations } from '../src/iommu/s390/guest-walk.js';
import { guestRamPage, guestResolver } from '../src/kvm/guest-memory.js';
import { findByFh } from '../src/s390/zpci.js';
import { hex, U64_MAX } from '../src/util/hex.js';
import type { TransitionProperty, Violation } from './types.js';

export const translationCoherence: TransitionProperty<undefined> = {
  name: 'translation-coherence',
  kind: 'transition',
  description: 'after a successful RPCIT the host translates the range exactly as the guest tables do',
  pre: () => undefined,
  check(view, step) {
    const e = step.event;
    if (step.outcome.code !== 'CC0' || (e.type !== 'guest.s390.rpcit' && e.type !== 'guest.s390.refresh_all')) return [];
    const w = view.w;
    const f = findByFh(w, e.vm, e.fh);
    const vm = w.vms.get(e.vm);
    if (!f || !f.ioat || !vm) return [];
    const start = e.type === 'guest.s390.rpcit' ? e.iova : f.ioat.pba;
    const end = e.type === 'guest.s390.rpcit' ? (e.iova + e.len) & U64_MAX : f.ioat.pal + 1n;
    const out: Violation[] = [];
    const domainId = w.containers.get(f.container)?.iommu?.domain;
    const leaves = view.domainLeaves().find((d) => d.domain.id === domainId)?.leaves ?? [];
    const mm = w.mms.get(vm.mm)!;
    const host = new Map(leaves.filter((l) => addrOf(l.iovaPage) >= start && addrOf(l.iovaPage) < end).map((l) => [addrOf(l.iovaPage), l.t]));
    const guest = guestTranslations(w.frames, guestResolver(w, vm), f.ioat.iota, start, end);
    for (const iova of new Set([...host.keys(), ...guest.keys()])) {
      const g = guest.get(iova);
      const h = host.get(iova);
      const vpage = g ? guestRamPage(w, vm, pageOf(g.translated)) : undefined;
      const want = vpage !== undefined ? mm.pages.get(vpage) : undefined;
      const got = h ? `frame ${hex(h.pfn)} ${h.write ? 'rw' : 'ro'}` : 'nothing';
      const expected = want !== undefined ? `frame ${hex(want)} ${g?.perm === 'rw' ? 'rw' : 'ro'}` : 'nothing';
      if (got !== expected) out.push({ property: this.name, message: `function ${f.id} IOVA ${hex(iova)}: host maps ${got} but the guest table gives ${expected}` });
    }
    return out;
  },
};
