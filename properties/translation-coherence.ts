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
import type { WorldView } from './view.js';
import { FORMATS } from '../src/iommu/formats.js';
import type { Translation } from '../src/iommu/format.js';

/** Refreshes this short are read entry by entry; longer ones from the domain's full leaf list. */
const PER_PAGE_LIMIT = 64n;

/** The host translations of [start, end), keyed by IOVA. */
function hostTranslations(view: WorldView, domainId: string | undefined, start: bigint, end: bigint): Map<bigint, Translation> {
  const dom = domainId === undefined ? undefined : view.w.domains.get(domainId);
  const out = new Map<bigint, Translation>();
  if (!dom) return out;
  if (end > start && (end - start) >> 12n <= PER_PAGE_LIMIT) {
    const format = FORMATS[dom.format];
    for (let p = pageOf(start); addrOf(p) < end; p++) {
      const t = p < format.aperturePages ? format.translate(view.w.frames, dom.root, p) : undefined;
      if (t) out.set(addrOf(p), t);
    }
    return out;
  }
  for (const l of view.domainLeaves().find((d) => d.domain.id === domainId)?.leaves ?? []) if (addrOf(l.iovaPage) >= start && addrOf(l.iovaPage) < end) out.set(addrOf(l.iovaPage), l.t);
  return out;
}

export const translationCoherence: TransitionProperty<undefined> = {
  name: 'translation-coherence',
  kind: 'transition',
  description: 'after a successful RPCIT the host translates the range exactly as the guest tables do',
  on: ['guest.s390.rpcit', 'guest.s390.refresh_all'],
  pre: () => undefined,
  check(view, step) {
    const e = step.event;
    if (step.outcome.code !== 'CC0' || (e.type !== 'guest.s390.rpcit' && e.type !== 'guest.s390.refresh_all')) return [];
    // another vCPU rewrote the tables during the refresh: which entries it saw is left undefined.
    if (step.actor?.type === 'guest.mem.write') return [];
    const w = view.w;
    const f = findByFh(w, e.vm, e.fh);
    const vm = w.vms.get(e.vm);
    if (!f || !f.ioat || !vm) return [];
    const start = e.type === 'guest.s390.rpcit' ? e.iova : f.ioat.pba;
    const end = e.type === 'guest.s390.rpcit' ? (e.iova + e.len) & U64_MAX : f.ioat.pal + 1n;
    const out: Violation[] = [];
    const domainId = w.containers.get(f.container)?.iommu?.domain;
    const mm = w.mms.get(vm.mm)!;
    const host = hostTranslations(view, domainId, start, end);
    const guest = guestTranslations(w.frames, guestResolver(w, vm), f.ioat.iota, start, end);
    const compare = (iova: bigint) => {
      const g = guest.get(iova);
      const h = host.get(iova);
      const vpage = g ? guestRamPage(w, vm, pageOf(g.translated)) : undefined;
      const want = vpage !== undefined ? mm.pages.get(vpage) : undefined;
      // the same frame with the same protection, or nothing on both sides (the text only for a report: every RPCIT asks).
      if (h === undefined ? want === undefined : want === h.pfn && h.write === (g?.perm === 'rw')) return;
      const got = h ? `frame ${hex(h.pfn)} ${h.write ? 'rw' : 'ro'}` : 'nothing';
      const expected = want !== undefined ? `frame ${hex(want)} ${g?.perm === 'rw' ? 'rw' : 'ro'}` : 'nothing';
      out.push({ property: this.name, message: `function ${f.id} IOVA ${hex(iova)}: host maps ${got} but the guest table gives ${expected}` });
    };
    for (const iova of host.keys()) compare(iova);
    for (const iova of guest.keys()) if (!host.has(iova)) compare(iova);
    return out;
  },
};
