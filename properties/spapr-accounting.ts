/**
 * spapr-accounting: the sPAPR counters against their definitions (kernel-facts §7): each
 * preregistered region's mapped count equals the hardware TCEs pointing into it (the final put
 * waits for 0, so a count too high pins memory forever and one too low lets it go while mapped),
 * and its used count the containers referencing it (1 with none: what an unregister of a mapped
 * region leaves since v5.0); each VFIO window charged the pages of its table (get_table_size);
 * each KVM TCE table charged kvmppc_stt_pages of its size. What was charged in total is
 * locked-vm-accounting's concern.
 */
import { lazyGet, lazyNonZero } from '../src/memory/lazy-array.js';
import { HW_TCE_ENDIAN, sttPages, tablePages, tcePages } from '../src/spapr/layout.js';
import type { Invariant, Violation } from './types.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

export const spaprAccounting: Invariant = {
  name: 'spapr-accounting',
  kind: 'invariant',
  reads: ['containers', 'frames', 'mms', 'tceTables'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: 'prereg mapped and used counts match the TCEs and containers on each region; windows and KVM tables charged their size',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const report = (message: string) => out.push({ property: this.name, message });
    // TCEs into each region and containers referencing it, per process.
    const into = new Map<string, number>();
    const users = new Map<string, number>();
    const key = (mm: string, vaddrPage: number) => `${mm}:${vaddrPage}`;
    const regionOf = new Map<number, string>();
    for (const m of w.mms.values()) for (const r of m.iommuMem) for (const pfn of r.pfns) regionOf.set(pfn, key(m.id, r.vaddrPage));
    for (const c of w.containers.values()) {
      const s = c.spapr;
      if (!s) continue;
      for (const ref of s.prereg) users.set(key(c.mm, ref.vaddrPage), (users.get(key(c.mm, ref.vaddrPage)) ?? 0) + 1);
      s.windows.forEach((win, num) => {
        if (!win) return;
        const size = win.entries << BigInt(win.pageShift);
        if (win.charged !== tablePages(win.pageShift, size)) report(`container ${c.id} window ${num} charged ${win.charged} pages for a table of ${tablePages(win.pageShift, size)}`);
        for (const idx of lazyNonZero(w.frames, win.frames, 0n, win.entries, HW_TCE_ENDIAN)) {
          const r = regionOf.get(Number(lazyGet(w.frames, win.frames, idx, HW_TCE_ENDIAN) >> 12n));
          if (r !== undefined) into.set(r, (into.get(r) ?? 0) + 1);
        }
      });
    }
    for (const mm of w.mms.values()) {
      for (const r of mm.iommuMem) {
        const k = key(mm.id, r.vaddrPage);
        const n = into.get(k) ?? 0;
        if (r.mapped !== n) report(`${mm.id}'s region at vaddr page ${r.vaddrPage} has mapped ${r.mapped} but ${n} TCEs point into it`);
        const u = users.get(k) ?? 0;
        if (r.used !== u && !(u === 0 && r.used === 1)) report(`${mm.id}'s region at vaddr page ${r.vaddrPage} has used ${r.used} but ${u} containers reference it`);
      }
    }
    for (const t of w.tceTables.values()) {
      const expect = Number(sttPages(tcePages(t.size)));
      if (t.charged !== expect) report(`KVM TCE table ${t.id} charged ${t.charged} pages where kvmppc_stt_pages gives ${expect}`);
    }
    return out;
  },
};
