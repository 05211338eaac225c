/**
 * rpcit-shadow's orbit key: for a renaming of the guest pages, the IOVA pages' (guest entry, host
 * entry) rows sorted, the least such key over the renamings a signature allows, packed into one
 * number and remembered per numeric state where it fits; as text, trying every renaming, for
 * states holding bits no choice writes (and as the tests' reference). Pure but for scratch arrays
 * and the memo, reused from call to call.
 */
import type { Params } from '../scenario.js';
import type { World } from '../../model/world.js';
import { permutations } from '../permutations.js';
import { abstractState, numericState, type Entry, type NumericState, type Raw, type RpcitShadowCtx } from './rpcit-shadow-state.js';

/**
 * The orbit key of `w`, read as `r`: by numbers, or as text when an entry holds bits no choice
 * writes. By numbers it is the least key packed into one number (packKey) where that fits.
 */
export function orbitKey(w: World, p: Params, ctx: RpcitShadowCtx, r: Raw): unknown {
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
  /** The state searched (set by leastKey before the search). */
  st: NumericState | undefined;
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
const search: Search = { st: undefined, p: {}, sig: [], order: orderScratch, names: [], key: [], best: [], found: false };

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
  const { p, names: pg, key } = s;
  const st = s.st!;
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

/** An entry's text under a renaming of the guest pages (the only part a page permutation changes). */
function encode(e: Entry, pg: readonly number[]): string {
  if (typeof e !== 'object') return e === 'N' ? 'N' : 'x' + e;
  return `${pg[e.g]}.${e.c ?? ''}${e.ro ? 'r' : 'w'}`;
}

const PERMS = new Map<number, number[][]>();
const permsOf = (n: number) => {
  let ps = PERMS.get(n);
  if (!ps) PERMS.set(n, (ps = permutations(n)));
  return ps;
};
