/**
 * The reference scenario rpcit-shadow(G, I, L) of the checker issue, design kvm-shadow. After the
 * setup (IOAT over I IOVA pages whose guest PTEs are exactly 0x400, the guest's table pages pinned,
 * and a locked_vm limit leaving exactly L pages for guest data pages), every state offers:
 * - the guest writes PTE i with one of 2G+1 values: invalid, page g read-write, page g read-only;
 * - RPCIT over exactly IOVA page i;
 * - the host migrates guest page g to its other candidate frame (refused while pinned);
 * - a device DMA read at IOVA page i, when the host entry is valid.
 * Invariant: every valid host entry points to the current frame of a pinned page.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { pageOf } from '../../memory/constants.js';
import { readHostPteWords } from '../../iommu/s390/host-table.js';
import type { Params, Scenario } from '../scenario.js';
import { dataGpa, FH, iova, PTE_INVALID, pteWrite, s390GuestSetup } from './s390-guest.js';
import { orbitKey } from './rpcit-shadow-orbit.js';
import { abstractState, hvaOf, IOVA0_PAGE, PTE_INVALID_N, rawAfter, rawBase, readRaw, type RawBase, type RpcitShadowCtx } from './rpcit-shadow-state.js';

export type { RpcitShadowCtx } from './rpcit-shadow-state.js';
export { orbitText } from './rpcit-shadow-orbit.js';

export function pteValues(G: number): bigint[] {
  const out = [PTE_INVALID];
  for (let g = 0; g < G; g++) out.push(dataGpa(g), dataGpa(g) | 0x200n);
  return out;
}

export const rpcitShadow: Scenario<RpcitShadowCtx> = {
  name: 'rpcit-shadow',
  description: 'kvm-shadow RPCIT over I IOVA pages mapping G guest pages, L pin slots, with migration',
  design: 's390-kvm-shadow',
  params: {
    G: { default: 2, min: 1, max: 6, help: 'guest data pages' },
    I: { default: 2, min: 1, max: 6, help: 'IOVA pages (page-table entries)' },
    L: { default: 1, min: 0, max: 6, help: 'locked_vm pages left for guest data pages' },
  },
  setup(p, apply, w) {
    s390GuestSetup(apply, 'kvm-shadow', p.I);
    // the initial refresh pins the guest's segment and page table pages (region table: at REG_IOAT).
    apply(ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(0), len: BigInt(p.I) * 0x1000n }));
    const mm = w.mms.get('qemu')!;
    for (let g = 0; g < p.G; g++) apply(ev('guest.mem.write', { vm: 'vm0', gpa: dataGpa(g), data: Uint8Array.of(g + 1) }));
    // each page's second candidate: a distinct spare frame above every frame in use, claimed once
    // and handed back so it waits in the free list.
    const spare = w.frames.next;
    const cands: [number, number][] = [];
    for (let g = 0; g < p.G; g++) {
      const first = mm.pages.get(pageOf(hvaOf(g)))!;
      apply(ev('host.mm.migrate', { mm: 'qemu', hva: hvaOf(g), pfn: BigInt(spare + g) }));
      apply(ev('host.mm.migrate', { mm: 'qemu', hva: hvaOf(g), pfn: BigInt(first) }));
      cands.push([first, spare + g]);
    }
    const locked = w.mms.get('qemu')!.lockedVm;
    apply(ev('host.rlimit.set', { mm: 'qemu', memlock: BigInt(locked + p.L) * 4096n }));
    return { candidates: cands };
  },
  choices(w, p: Params, ctx): ModelEvent[] {
    const ev0 = eventsOf(p, ctx);
    const out = ev0.fixed.slice();
    const mm = w.mms.get('qemu')!;
    for (let g = 0; g < p.G; g++) out.push(ev0.migrate[g][mm.pages.get(pageOf(hvaOf(g))) === ctx.candidates[g][0] ? 1 : 0]);
    const dom = w.domains.get(w.containers.get('c0')!.iommu!.domain)!;
    const pte = new Uint32Array(2);
    for (let i = 0; i < p.I; i++) if (readHostPteWords(w.frames, dom.root, IOVA0_PAGE + i, pte, 0) && (pte[1] & PTE_INVALID_N) === 0) out.push(ev0.dma[i]);
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'translation-coherence', 'kvm-domain-exclusive', 'kvm-pin-accounting'],
  covers: [
    {
      name: 'pin-refused',
      description: 'an RPCIT ran out of pin slots (insufficient resources)',
      // with a slot for every guest page the limit can never be reached.
      applies: (p) => p.L < p.G,
      hit: (_v, s) => s.event.type === 'guest.s390.rpcit' && s.outcome.code === 'CC1',
    },
    {
      name: 'migrated',
      description: 'an unpinned guest page moved to its other frame',
      hit: (_v, s) => s.event.type === 'host.mm.migrate' && s.outcome.code === 'OK',
    },
    {
      name: 'replaced',
      description: 'a valid host entry was replaced by a different page',
      hit: (v, s) => s.event.type === 'guest.s390.rpcit' && s.outcome.code === 'CC0' && [...v.w.zpci.values()].some((f) => f.shadow.size > 0),
    },
  ],
  expect: { verdict: 'pass' },

  abstract(w, p, ctx) {
    return JSON.stringify(abstractState(w, p, ctx));
  },

  /**
   * Exact: for a renaming of the guest pages, the IOVA pages are put in a canonical order by
   * sorting their (guest entry, host entry) pairs, which no permutation of the IOVA pages can
   * change; the least of those keys over the renamings names the orbit. Only renamings that
   * list the pages in the order of a signature no renaming changes (where each page is, and how
   * the entries use it) are tried: the orbit's other states have the same signatures, so they
   * try the matching renamings and reach the same least key. Ties are tried every way.
   */
  canonical(w, p, ctx) {
    return orbitKey(w, p, ctx, readRaw(w, p, ctx));
  },
  canonicalBase: (w, p, ctx) => rawBase(w, p, ctx),
  canonicalAfter: (w, p, ctx, base, changes) => orbitKey(w, p, ctx, rawAfter(w, p, ctx, base as RawBase, changes)),
};

/**
 * The events a state can offer, built once per setup: every state offers the same writes and
 * refreshes, one of two migrations per page, and a subset of the DMA reads. Events are never
 * changed once built, so states share them.
 */
interface ChoiceEvents {
  readonly fixed: readonly ModelEvent[];
  /** Per guest page: the migration to its first candidate frame, then to its second. */
  readonly migrate: readonly (readonly [ModelEvent, ModelEvent])[];
  readonly dma: readonly ModelEvent[];
}
const choiceEvents = new WeakMap<RpcitShadowCtx, { G: number; I: number; events: ChoiceEvents }>();

function eventsOf(p: Params, ctx: RpcitShadowCtx): ChoiceEvents {
  const hit = choiceEvents.get(ctx);
  if (hit && hit.G === p.G && hit.I === p.I) return hit.events;
  const fixed: ModelEvent[] = [];
  const values = pteValues(p.G);
  for (let i = 0; i < p.I; i++) for (const v of values) fixed.push(pteWrite(i, v));
  for (let i = 0; i < p.I; i++) fixed.push(ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(i), len: 0x1000n }));
  const migrate = ctx.candidates.map(([a, b], g) => {
    const to = (pfn: number) => ev('host.mm.migrate', { mm: 'qemu', hva: hvaOf(g), pfn: BigInt(pfn) });
    return [to(a), to(b)] as const;
  });
  const dma = Array.from({ length: p.I }, (_, i) => ev('device.dma.read', { device: 'zpci0', iova: iova(i), len: 8 }));
  const events = { fixed, migrate, dma };
  choiceEvents.set(ctx, { G: p.G, I: p.I, events });
  return events;
}
