/**
 * translation-coherence (s390): after an RPCIT over a range ends with cc 0, the host translation
 * of every IOVA in it equals the guest table's translation through the memslots, protection
 * included (a read-only guest entry is never writable on the host). A property of that step.
 */
import { addrOf, pageOf } from '../src/memory/constants.js';
import { guestTranslations, walkGuestTable, type Perm } from '../src/iommu/s390/guest-walk.js';
import { ZPCI_TABLE_SIZE_RT } from '../src/iommu/s390/layout.js';
import { guestRamPage, guestResolver } from '../src/kvm/guest-memory.js';
import { findByFh } from '../src/s390/zpci.js';
import { hex, U64_MAX } from '../src/util/hex.js';
import type { TransitionProperty, Violation } from './types.js';
import type { WorldView } from './view.js';
import { FORMATS } from '../src/iommu/formats.js';
import type { Translation } from '../src/iommu/format.js';
import type { Domain } from '../src/model/world.js';

/** A guest table's translation of one IOVA page. */
type GuestTranslation = { readonly translated: bigint; readonly perm: Perm };

/** Refreshes this short are read entry by entry; longer ones from the domain's full leaf list. */
const PER_PAGE_LIMIT = 64n;

/** The host translations of [start, end), keyed by IOVA, from the domain's leaf list (a long refresh). */
function hostTranslations(view: WorldView, dom: Domain | undefined, start: bigint, end: bigint): Map<bigint, Translation> {
  const out = new Map<bigint, Translation>();
  if (!dom) return out;
  for (const l of view.domainLeaves().find((d) => d.domain.id === dom.id)?.leaves ?? []) if (addrOf(l.iovaPage) >= start && addrOf(l.iovaPage) < end) out.set(addrOf(l.iovaPage), l.t);
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
    const resolve = guestResolver(w, vm);
    const compare = (iova: bigint, g: GuestTranslation | undefined, h: Translation | undefined) => {
      const vpage = g ? guestRamPage(w, vm, pageOf(g.translated)) : undefined;
      const want = vpage !== undefined ? mm.pages.get(vpage) : undefined;
      // the same frame with the same protection, or nothing on both sides (the text only for a report: every RPCIT asks).
      if (h === undefined ? want === undefined : want === h.pfn && h.write === (g?.perm === 'rw')) return;
      const got = h ? `frame ${hex(h.pfn)} ${h.write ? 'rw' : 'ro'}` : 'nothing';
      const expected = want !== undefined ? `frame ${hex(want)} ${g?.perm === 'rw' ? 'rw' : 'ro'}` : 'nothing';
      out.push({ property: this.name, message: `function ${f.id} IOVA ${hex(iova)}: host maps ${got} but the guest table gives ${expected}` });
    };
    const dom = domainId === undefined ? undefined : w.domains.get(domainId);
    if (dom && end > start && (end - start) >> 12n <= PER_PAGE_LIMIT) {
      // a short refresh (every one the scenarios make), page by page with no map of either side: the
      // host pages first, then the pages only the guest maps, as for a long one.
      const format = FORMATS[dom.format];
      let guestOnly: { iova: bigint; g: GuestTranslation }[] | undefined;
      // a walk error ends the guest's translations there (guestTranslations stops at it).
      let failed = false;
      for (let p = pageOf(start); addrOf(p) < end; p++) {
        const iova = addrOf(p);
        const h = p < format.aperturePages ? format.translate(w.frames, dom.root, p) : undefined;
        let g: GuestTranslation | undefined;
        if (!failed && iova < ZPCI_TABLE_SIZE_RT) {
          const r = walkGuestTable(w.frames, resolve, f.ioat.iota, iova);
          if (r.error) failed = true;
          else if (r.perm !== 'none') g = { translated: r.translated, perm: r.perm };
        }
        if (h !== undefined) compare(iova, g, h);
        else if (g !== undefined) (guestOnly ??= []).push({ iova, g });
      }
      for (const { iova, g } of guestOnly ?? []) compare(iova, g, undefined);
      return out;
    }
    const host = hostTranslations(view, dom, start, end);
    const guest = guestTranslations(w.frames, resolve, f.ioat.iota, start, end);
    for (const [iova, h] of host) compare(iova, guest.get(iova), h);
    for (const [iova, g] of guest) if (!host.has(iova)) compare(iova, g, undefined);
    return out;
  },
};
