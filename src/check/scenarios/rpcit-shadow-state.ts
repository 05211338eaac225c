/**
 * rpcit-shadow's state as its orbit key reads it, from the real bytes: each IOVA page's guest and
 * host entry and each guest page's frame, whole (readRaw) or, for a successor, again only where a
 * move changed what it was read from (rawBase, rawAfter); as numbers (numericState) or as text
 * for states holding bits no choice writes (abstractState). Pure but for scratch arrays reused
 * from call to call.
 */
import { pageOf } from '../../memory/constants.js';
import { readHostPteWords } from '../../iommu/s390/host-table.js';
import type { MoveChanges, Params } from '../scenario.js';
import type { World } from '../../model/world.js';
import { readU32 } from '../../memory/bits.js';
import { frameForRead } from '../../memory/frames.js';
import { gpaToHvaPage } from '../../kvm/memslots.js';
import { DATA0, dataGpa, HVA, iova, PT, PTE_INVALID } from './s390-guest.js';

export const hvaOf = (g: number) => HVA + dataGpa(g);

/** Each guest page's two candidate frames, fixed by the setup (the first is where it starts). */
export interface RpcitShadowCtx {
  readonly candidates: [number, number][];
}

/** The scenario's state read from the real bytes: guest PTEs, host PTEs, and each page's frame. */
const PT_PAGE = pageOf(PT);
const PT_OFF = Number(PT & 0xfffn);
export const IOVA0_PAGE = pageOf(iova(0));
const DATA0_PAGE = pageOf(DATA0);

export const PTE_INVALID_N = Number(PTE_INVALID);

/** A guest or host entry: invalid, a guest page with protection (and, on the host, which candidate frame), or raw bits. */
export type Entry = 'N' | string | { g: number; c?: number; ro: boolean };

/**
 * The scenario's state as numbers, read from the real bytes (what abstractState reads): per IOVA
 * page the guest entry's page (1 + g, 0 invalid) and protection, the host entry's page, candidate
 * frame and protection; per guest page the candidate it is on. Undefined when an entry holds bits
 * no choice writes (the text form handles those). Scratch arrays, valid until the next call: the
 * orbit key is asked for on every transition of a symmetric run.
 */
export interface NumericState {
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

export function numericState(r: Raw, p: Params, ctx: RpcitShadowCtx): NumericState | undefined {
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

export type Raw = typeof raw;

export function readRaw(w: World, p: Params, ctx: RpcitShadowCtx): Raw {
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
export interface RawBase {
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

export function rawBase(w: World, p: Params, ctx: RpcitShadowCtx): RawBase {
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
export function rawAfter(w: World, p: Params, ctx: RpcitShadowCtx, base: RawBase, changes: MoveChanges): Raw {
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

export function abstractState(w: World, p: Params, ctx: RpcitShadowCtx): { gp: Entry[]; hp: Entry[]; pos: (number | string)[] } {
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
