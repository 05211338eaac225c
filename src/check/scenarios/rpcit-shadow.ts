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
import type { MoveChanges, Params, Scenario } from '../scenario.js';
import type { World } from '../../model/world.js';
import { readU32 } from '../../memory/bits.js';
import { frameForRead } from '../../memory/frames.js';
import { gpaToHvaPage } from '../../kvm/memslots.js';
import { permutations } from '../permutations.js';
import { DATA0, dataGpa, FH, HVA, iova, PT, PTE_INVALID, pteWrite, s390GuestSetup } from './s390-guest.js';

const hvaOf = (g: number) => HVA + dataGpa(g);

/** Each guest page's two candidate frames, fixed by the setup (the first is where it starts). */
export interface RpcitShadowCtx {
  readonly candidates: [number, number][];
}

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
 * The orbit key of `w`, read as `r`: by numbers, or as text when an entry holds bits no choice
 * writes. By numbers it is the least key packed into one number (packKey) where that fits.
 */
function orbitKey(w: World, p: Params, ctx: RpcitShadowCtx, r: Raw): unknown {
  const st = numericState(r, p, ctx);
  if (st === undefined) return textCanonical(abstractState(w, p, ctx), p);
  const m = memoFor(p);
  if (!m.fits) return leastKey(st, p, signatures(st, p)).slice();
  const n = packed(st, m);
  // both halves of the number mixed: the low bits alone are the pages' frames and the first entry.
  const slot = 2 * ((Math.imul((n % 0x40000000) ^ Math.floor(n / 0x40000000), 0x9e3779b1) >>> 0) >>> (32 - MEMO_BITS));
  const slots = m.slots;
  if (slots[slot] === n) return slots[slot + 1];
  const key = packKey(leastKey(st, p, signatures(st, p)), m);
  slots[slot] = n;
  slots[slot + 1] = key;
  return key;
}

/**
 * Orbit keys by numeric state, direct-mapped (a slot taken by another state only means searching
 * again): a run reaches most numeric states several times (rpcit-shadow(4,3,3): 2.06 M keys asked
 * of 478 k states), and the renaming search costs more than a lookup. Numbers only, so the
 * collector has nothing to trace. For one (G, I) at a time (a run with others starts it afresh),
 * with the radixes both packings use and whether they fit below 2^53.
 */
const MEMO_BITS = 18;
/** Slot i: the numeric state at 2i (-1: none), its key at 2i + 1; side by side, so a lookup misses the processor's cache once. */
const memo = { G: 0, I: 0, R: 0, RK: 0, fits: false, slots: new Float64Array(2 << MEMO_BITS).fill(-1) };
type Memo = typeof memo;

function memoFor(p: Params): Memo {
  const { G, I } = p;
  if (memo.G !== G || memo.I !== I) {
    memo.slots.fill(-1);
    memo.G = G;
    memo.I = I;
    memo.R = 8 * (G + 1) * (G + 1);
    memo.RK = (2 * G + 1) * (4 * G + 1);
    memo.fits = memo.R ** I * 2 ** G <= Number.MAX_SAFE_INTEGER;
  }
  return memo;
}

/**
 * The numeric state as one number: each IOVA page's entries as a digit of radix 8 (G + 1)^2, then
 * each guest page's frame as a bit (only where that stays below 2^53, Memo.fits: not for I of 6
 * with G above 1, where the search runs every time and the key stays a list). Fields that do not
 * apply (the protection of an invalid entry) count as 0.
 */
function packed(st: NumericState, m: Memo): number {
  const { G, I, R } = m;
  let n = 0;
  for (let i = I - 1; i >= 0; i--) {
    const g = st.gPage[i];
    const h = st.hPage[i];
    const gc = g === 0 ? 0 : g * 2 + st.gRo[i];
    const hc = h === 0 ? 0 : (h * 2 + st.hCand[i]) * 2 + st.hRo[i];
    n = n * R + gc * 4 * (G + 1) + hc;
  }
  for (let g = G - 1; g >= 0; g--) n = n * 2 + st.pos[g];
  return n;
}

/**
 * A least key (leastKey) as one number: its sorted rows as digits of radix (2G + 1)(4G + 1) (a
 * row is below that, keyUnder), then the pages' frames as bits. One-to-one, and below 2^53
 * wherever `packed` is.
 */
function packKey(key: readonly number[], m: Memo): number {
  const { G, I, RK } = m;
  let n = 0;
  for (let j = 0; j < I; j++) n = n * RK + key[j];
  for (let g = 0; g < G; g++) n = n * 2 + key[I + g];
  return n;
}

/**
 * The scenario's state as numbers, read from the real bytes (what abstractState reads): per IOVA
 * page the guest entry's page (1 + g, 0 invalid) and protection, the host entry's page, candidate
 * frame and protection; per guest page the candidate it is on. Undefined when an entry holds bits
 * no choice writes (the text form handles those). Scratch arrays, valid until the next call: the
 * orbit key is asked for on every transition of a symmetric run.
 */
interface NumericState {
  readonly gPage: Int32Array;
  readonly gRo: Int32Array;
  readonly hPage: Int32Array;
  readonly hCand: Int32Array;
  readonly hRo: Int32Array;
  readonly pos: Int32Array;
}
const MAX_PAGES = 8;
const scratch: NumericState = {
  gPage: new Int32Array(MAX_PAGES), gRo: new Int32Array(MAX_PAGES), hPage: new Int32Array(MAX_PAGES),
  hCand: new Int32Array(MAX_PAGES), hRo: new Int32Array(MAX_PAGES), pos: new Int32Array(MAX_PAGES),
};

function numericState(r: Raw, p: Params, ctx: RpcitShadowCtx): NumericState | undefined {
  const { byFrame } = setupFacts(ctx);
  const st = scratch;
  const { G, I } = p;
  for (let i = 0; i < I; i++) {
    const hi = r.hi[i];
    const lo = r.lo[i];
    const g = (lo >>> 12) - DATA0_PAGE;
    if (hi === 0 && lo === PTE_INVALID_N) st.gPage[i] = 0;
    else if (hi === 0 && g >= 0 && g < G && (lo & 0xdff) === 0) {
      st.gPage[i] = g + 1;
      st.gRo[i] = (lo & 0x200) !== 0 ? 1 : 0;
    } else return undefined;
    const hh = r.host[2 * i];
    const hl = r.host[2 * i + 1];
    if (r.hasHost[i] === 1 && hh === 0 && hl === PTE_INVALID_N) st.hPage[i] = 0;
    else {
      // candidate frames lie below 4 GiB: an entry with a high half names none of them.
      const f = r.hasHost[i] === 0 || hh !== 0 ? undefined : byFrame.get(hl >>> 12);
      if (f === undefined || (hl & 0xdff) !== 0) return undefined;
      st.hPage[i] = f.g + 1;
      st.hCand[i] = f.c;
      st.hRo[i] = (hl & 0x200) !== 0 ? 1 : 0;
    }
  }
  for (let g = 0; g < G; g++) {
    const now = r.frames[g];
    const c = ctx.candidates[g];
    if (now === c[0]) st.pos[g] = 0;
    else if (now === c[1]) st.pos[g] = 1;
    else return undefined;
  }
  return st;
}
const PTE_INVALID_N = Number(PTE_INVALID);

/** 8 ** k for the signature's digits (a table: the orbit key is asked for on every transition). */
const DIGIT = [1, 8, 64, 512, 4096, 32768];

/**
 * Per guest page, a number no renaming changes: its frame, and how many guest and host entries
 * name it with each protection (and, on the host, each candidate frame). Scratch, valid until
 * the next call.
 */
const sigScratch: number[] = [];
function signatures(st: NumericState, p: Params): number[] {
  const sig = sigScratch;
  if (sig.length !== p.G) sig.length = p.G;
  for (let g = 0; g < p.G; g++) sig[g] = st.pos[g];
  // counts fit in 3 bits (at most 6 IOVA pages); each kind of use has its own digit.
  for (let j = 0; j < p.I; j++) {
    if (st.gPage[j] !== 0) sig[st.gPage[j] - 1] += 2 * DIGIT[st.gRo[j]];
    if (st.hPage[j] !== 0) sig[st.hPage[j] - 1] += 2 * DIGIT[2 + st.hCand[j] * 2 + st.hRo[j]];
  }
  return sig;
}

/**
 * The least orbit key over every renaming (old page -> new name) that names pages in increasing
 * signature order, trying each order of the pages within a tie (but one for pages no entry
 * names: the signature is the frame alone, and any order gives the same key). Per renaming, the
 * IOVA pages' rows are sorted (no permutation of the IOVA pages changes that) and each page's
 * frame follows, under its new name. Scratch, valid until the next call.
 */
function leastKey(st: NumericState, p: Params, sig: readonly number[]): readonly number[] {
  const G = p.G;
  const order = orderScratch;
  if (order.length !== G) order.length = G;
  for (let g = 0; g < G; g++) order[g] = g;
  // insertion sort, stable: a handful of pages.
  for (let i = 1; i < G; i++) {
    const x = order[i];
    let j = i - 1;
    for (; j >= 0 && sig[order[j]] > sig[x]; j--) order[j + 1] = order[j];
    order[j + 1] = x;
  }
  const s = search;
  s.st = st;
  s.p = p;
  s.sig = sig;
  s.found = false;
  // lengths set only when they change: setting one costs, even to the same value.
  if (s.names.length !== G) s.names.length = G;
  if (s.key.length !== p.I + G) s.key.length = p.I + G;
  if (s.best.length !== p.I + G) s.best.length = p.I + G;
  place(s, 0);
  return s.best;
}

/** The renaming search's state: one, reused (the orbit key is asked for on every transition). */
interface Search {
  st: NumericState;
  p: Params;
  sig: readonly number[];
  readonly order: number[];
  readonly names: number[];
  readonly key: number[];
  /** The least key so far, once `found`. */
  readonly best: number[];
  found: boolean;
}
const orderScratch: number[] = [];
const search: Search = { st: scratch, p: {}, sig: [], order: orderScratch, names: [], key: [], best: [], found: false };

/** Names the pages from position k of the search's order on, each way a tie allows; keeps the least key. */
function place(s: Search, k: number): void {
  const { order, sig, names } = s;
  if (k === order.length) {
    keyUnder(s);
    return;
  }
  // the pages tied with order[k] that are not named yet each take name k in turn; pages no entry
  // names (signature: the frame alone) give the same key in any order, so one will do.
  let end = k;
  while (end < order.length && sig[order[end]] === sig[order[k]]) end++;
  if (sig[order[k]] < 2) end = k + 1;
  for (let j = k; j < end; j++) {
    let t = order[k];
    order[k] = order[j];
    order[j] = t;
    names[order[k]] = k;
    place(s, k + 1);
    t = order[k];
    order[k] = order[j];
    order[j] = t;
  }
}

/** The key under the search's current names; kept when less than the best so far. */
function keyUnder(s: Search): void {
  const { st, p, names: pg, key } = s;
  // every entry is a page or invalid: rows are small integers, compared as numbers.
  const H = 4 * p.G + 1;
  const I = p.I;
  for (let j = 0; j < I; j++) {
    const gg = st.gPage[j];
    const hg = st.hPage[j];
    const gc = gg === 0 ? 0 : 1 + pg[gg - 1] * 2 + st.gRo[j];
    const hc = hg === 0 ? 0 : 1 + pg[hg - 1] * 4 + st.hCand[j] * 2 + st.hRo[j];
    key[j] = gc * H + hc;
  }
  sortPrefix(key, I);
  for (let g = 0; g < p.G; g++) key[I + pg[g]] = st.pos[g];
  if (s.found && !lessThan(key, s.best)) return;
  for (let i = 0; i < key.length; i++) s.best[i] = key[i];
  s.found = true;
}

function sortPrefix(a: number[], n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i];
    let j = i - 1;
    for (; j >= 0 && a[j] > x; j--) a[j + 1] = a[j];
    a[j + 1] = x;
  }
}

function lessThan(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/**
 * The orbit key as text, by trying every renaming of the guest pages: the form a state holding
 * raw entries is keyed by, and the reference the fast key is tested against (same orbits).
 */
export function orbitText(w: World, p: Params, ctx: RpcitShadowCtx): string {
  return textCanonical(abstractState(w, p, ctx), p);
}

/** The same canonical form as text, for states holding raw entries (bits no choice writes). */
function textCanonical({ gp, hp, pos }: { gp: Entry[]; hp: Entry[]; pos: (number | string)[] }, p: Params): string {
  let best: string | undefined;
  const rows = new Array<string>(p.I);
  const npos = new Array<string>(p.G);
  for (const pg of permsOf(p.G)) {
    for (let j = 0; j < p.I; j++) rows[j] = encode(gp[j], pg) + '/' + encode(hp[j], pg);
    for (let g = 0; g < p.G; g++) npos[pg[g]] = String(pos[g]);
    const key = rows.slice().sort().join(';') + '|' + npos.join(',');
    if (best === undefined || key < best) best = key;
  }
  return best!;
}

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

/** An entry's text under a renaming of the guest pages (the only part a page permutation changes). */
function encode(e: Entry, pg: readonly number[]): string {
  if (typeof e !== 'object') return e === 'N' ? 'N' : 'x' + e;
  return `${pg[e.g]}.${e.c ?? ''}${e.ro ? 'r' : 'w'}`;
}

/** A guest or host entry: invalid, a guest page with protection (and, on the host, which candidate frame), or raw bits. */
type Entry = 'N' | string | { g: number; c?: number; ro: boolean };

const PERMS = new Map<number, number[][]>();
const permsOf = (n: number) => {
  let ps = PERMS.get(n);
  if (!ps) PERMS.set(n, (ps = permutations(n)));
  return ps;
};

/** The scenario's state read from the real bytes: guest PTEs, host PTEs, and each page's frame. */
const PT_PAGE = pageOf(PT);
const PT_OFF = Number(PT & 0xfffn);
const IOVA0_PAGE = pageOf(iova(0));
const DATA0_PAGE = pageOf(DATA0);

/**
 * What the scenario's state is read from: each IOVA page's guest entry (its two 32-bit halves; 0
 * when the guest's table page has no frame) and host entry, and each guest page's frame now.
 * Scratch arrays, valid until the next call.
 */
const raw = {
  hi: new Uint32Array(MAX_PAGES), lo: new Uint32Array(MAX_PAGES),
  /** Host entries as halves (high, low) per IOVA page, and whether the page has a host page table at all. */
  host: new Uint32Array(2 * MAX_PAGES), hasHost: new Uint8Array(MAX_PAGES),
  frames: [] as (number | undefined)[],
};

type Raw = typeof raw;

function readRaw(w: World, p: Params, ctx: RpcitShadowCtx): Raw {
  readGuestEntries(w, p, raw);
  readHostEntries(w, p, raw);
  readFrames(w, p, ctx, raw);
  return raw;
}

/** The guest's entries into `r`; the frame holding its page table (undefined: none). */
function readGuestEntries(w: World, p: Params, r: Raw): number | undefined {
  const vm = w.vms.get('vm0')!;
  // the guest's page table lies in one page: resolve it once.
  const ptHva = gpaToHvaPage(vm, PT_PAGE);
  const ptFrame = ptHva === undefined ? undefined : w.mms.get(vm.mm)!.pages.get(ptHva);
  const ptBytes = ptFrame === undefined ? undefined : frameForRead(w.frames, ptFrame);
  // entries are read as two 32-bit halves: every value a choice writes has a zero upper half.
  const I = p.I;
  for (let i = 0; i < I; i++) {
    r.hi[i] = ptBytes === undefined ? 0 : readU32(ptBytes, PT_OFF + i * 8, 'be');
    r.lo[i] = ptBytes === undefined ? 0 : readU32(ptBytes, PT_OFF + i * 8 + 4, 'be');
  }
  return ptFrame;
}

function readHostEntries(w: World, p: Params, r: Raw): void {
  const dom = w.domains.get(w.containers.get('c0')!.iommu!.domain)!;
  const I = p.I;
  for (let i = 0; i < I; i++) r.hasHost[i] = readHostPteWords(w.frames, dom.root, IOVA0_PAGE + i, r.host, i) ? 1 : 0;
}

function readFrames(w: World, p: Params, ctx: RpcitShadowCtx, r: Raw): void {
  const mm = w.mms.get('qemu')!;
  const { hvaPages } = setupFacts(ctx);
  const G = p.G;
  if (r.frames.length !== G) r.frames.length = G;
  for (let g = 0; g < G; g++) r.frames[g] = mm.pages.get(hvaPages[g]);
}

/**
 * An expanded state's reading, kept while its moves are tried (canonicalBase): its raw entries
 * and frames (plain arrays: one base per expanded state, and a typed array costs more to make),
 * and the frames each kind of entry was read from.
 */
interface RawBase {
  readonly hi: readonly number[];
  readonly lo: readonly number[];
  readonly host: readonly number[];
  readonly hasHost: readonly number[];
  readonly frames: readonly (number | undefined)[];
  /** The frame holding the guest's page table (none: empty). */
  readonly ptReads: ReadonlySet<number>;
  /** Every frame the host table walks read. */
  readonly hostReads: ReadonlySet<number>;
}

function rawBase(w: World, p: Params, ctx: RpcitShadowCtx): RawBase {
  const pt = readGuestEntries(w, p, raw);
  // the pool notes every frame read while `reads` is set (as replay's property checks use it).
  const pool = w.frames;
  const outer = pool.reads;
  const hostReads = new Set<number>();
  pool.reads = hostReads;
  try {
    readHostEntries(w, p, raw);
  } finally {
    pool.reads = outer;
  }
  if (outer) for (const f of hostReads) outer.add(f);
  readFrames(w, p, ctx, raw);
  const I = p.I;
  return {
    hi: Array.from(raw.hi.subarray(0, I)), lo: Array.from(raw.lo.subarray(0, I)), host: Array.from(raw.host.subarray(0, 2 * I)),
    hasHost: Array.from(raw.hasHost.subarray(0, I)), frames: raw.frames.slice(), ptReads: new Set(pt === undefined ? [] : [pt]), hostReads,
  };
}

/** What says where the entries and pages are: memslots, the VMM's pages, the container's domain. */
const PLACES = ['vms', 'mms', 'containers', 'domains'] as const;

/**
 * The raw reading of the state `base` was taken of with one move applied: entries read again
 * only where a frame they were read from changed. A move that changed where pages are (the
 * memslots, the VMM's pages, the domain) is read whole.
 */
function rawAfter(w: World, p: Params, ctx: RpcitShadowCtx, base: RawBase, changes: MoveChanges): Raw {
  if (changes.changedAny(PLACES)) return readRaw(w, p, ctx);
  const { G, I } = p;
  if (changes.framesChangedFor(base.ptReads)) readGuestEntries(w, p, raw);
  else {
    for (let i = 0; i < I; i++) {
      raw.hi[i] = base.hi[i];
      raw.lo[i] = base.lo[i];
    }
  }
  if (changes.framesChangedFor(base.hostReads)) readHostEntries(w, p, raw);
  else {
    for (let i = 0; i < I; i++) {
      raw.host[2 * i] = base.host[2 * i];
      raw.host[2 * i + 1] = base.host[2 * i + 1];
      raw.hasHost[i] = base.hasHost[i];
    }
  }
  if (raw.frames.length !== G) raw.frames.length = G;
  for (let g = 0; g < G; g++) raw.frames[g] = base.frames[g];
  return raw;
}

function abstractState(w: World, p: Params, ctx: RpcitShadowCtx): { gp: Entry[]; hp: Entry[]; pos: (number | string)[] } {
  const r = readRaw(w, p, ctx);
  const { byFrame } = setupFacts(ctx);
  const gp: Entry[] = [];
  const hp: Entry[] = [];
  for (let i = 0; i < p.I; i++) {
    const hi = r.hi[i];
    const lo = r.lo[i];
    const g = (lo >>> 12) - DATA0_PAGE;
    if (hi === 0 && lo === PTE_INVALID_N) gp.push('N');
    else if (hi === 0 && g >= 0 && g < p.G && (lo & 0xdff) === 0) gp.push({ g, ro: (lo & 0x200) !== 0 });
    else gp.push(((BigInt(hi) << 32n) | BigInt(lo)).toString(16));
    const h = r.hasHost[i] === 0 ? undefined : (BigInt(r.host[2 * i]) << 32n) | BigInt(r.host[2 * i + 1]);
    const f = h === undefined ? undefined : byFrame.get(Number(h >> 12n));
    hp.push(h === PTE_INVALID ? 'N' : f && h !== undefined && (h & 0xdffn) === 0n ? { g: f.g, c: f.c, ro: (h & 0x200n) !== 0n } : String(h));
  }
  const pos = ctx.candidates.map(([a, b], g) => {
    const now = r.frames[g];
    return now === a ? 0 : now === b ? 1 : String(now);
  });
  return { gp, hp, pos };
}

/** Facts of a setup the orbit key reads for every state, built once: which guest page and candidate each candidate frame stands for, and each guest page's VMM page. */
interface SetupFacts {
  readonly byFrame: Map<number, { g: number; c: number }>;
  readonly hvaPages: readonly number[];
}
const setupFactsOf = new WeakMap<RpcitShadowCtx, SetupFacts>();
/** The last setup asked about: a run asks about one setup on every transition, and a WeakMap lookup costs. */
let lastFacts: { ctx: RpcitShadowCtx; facts: SetupFacts } | undefined;
function setupFacts(ctx: RpcitShadowCtx): SetupFacts {
  if (lastFacts?.ctx === ctx) return lastFacts.facts;
  let f = setupFactsOf.get(ctx);
  if (f === undefined) {
    const byFrame = new Map<number, { g: number; c: number }>();
    for (const [g, [a, b]] of ctx.candidates.entries()) {
      byFrame.set(a, { g, c: 0 });
      byFrame.set(b, { g, c: 1 });
    }
    setupFactsOf.set(ctx, (f = { byFrame, hvaPages: ctx.candidates.map((_, g) => pageOf(hvaOf(g))) }));
  }
  lastFacts = { ctx, facts: f };
  return f;
}

