/**
 * Hashing any JSON-like model value (numbers, strings, bigints, arrays, maps, sets, records) in two
 * independent 32-bit lanes at once, the state fingerprint's building block. Canonical: maps, sets
 * and records combine their entries with addition, so the order things were inserted in (history)
 * never splits equal values; arrays are ordered. Frozen values' hashes are cached, and a sealed
 * map written in place follows its writes (kernel/seal.ts). Pure but for those caches.
 */
import { derivedCache, heldJournals, heldWrote, sealedKeysWritten, sealedWrittenHere } from '../kernel/seal.js';
import { finish, hashString, mix } from '../util/murmur.js';

/** The lanes' seeds (fingerprint.ts and page-hash.ts seed with them too). */
export const SEED_A = 0x9e3779b1;
export const SEED_B = 0x85ebca77;

// the same short strings (field names, ids, lifecycle states, frame owners) recur in every state:
// each is hashed once, seed-free, and the seed is mixed in afterwards.
const memo = new Map<string, [number, number]>();

/** The pair result of the last hashPair call (two registers, so the hot path allocates nothing). */
let outA = 0;
let outB = 0;

/** The last hashPair or stringPair result, lane A and lane B: read right after the call (the registers stay this module's). */
export const laneA = (): number => outA;
export const laneB = (): number => outB;

/** A string's hash under the seeds, in outA/outB (a short one's seed-free hash remembered). */
export function stringPair(s: string, sa: number, sb: number): void {
  if (s.length > 64) {
    outA = hashString(s, sa);
    outB = hashString(s, sb);
    return;
  }
  let h = memo.get(s);
  if (h === undefined) {
    if (memo.size > 50_000) memo.clear();
    memo.set(s, (h = [hashString(s, SEED_A), hashString(s, SEED_B)]));
  }
  outA = finish(mix(sa, h[0]));
  outB = finish(mix(sb, h[1]));
}

/** Bigints' text hashes (as stringPair's memo keeps), by value: no string is made for one seen before. */
const bigMemo = new Map<bigint, [number, number]>();

function bigintPair(v: bigint, sa: number, sb: number): void {
  let h = bigMemo.get(v);
  if (h === undefined) {
    // hashed as stringPair hashes the text, so a fingerprint does not depend on this memo.
    const s = 'b' + v.toString(16);
    if (s.length > 64) return stringPair(s, sa, sb);
    if (bigMemo.size > 50_000) bigMemo.clear();
    bigMemo.set(v, (h = [hashString(s, SEED_A), hashString(s, SEED_B)]));
  }
  outA = finish(mix(sa, h[0]));
  outB = finish(mix(sb, h[1]));
}

/**
 * Hashes of frozen data, by object, with the seeds they were hashed under: a frozen record or
 * array with no map or set below (it can never change), and a sealed map or set whose values hold
 * none (it changes only through its journal: one written in the move being hashed is hashed
 * afresh, and a kept write drops it, kernel/seal.ts). `held`: 0, or the held journals the hash
 * was taken under (heldJournals) when they had written the map: it holds only while they do.
 */
const frozenHashes = derivedCache<Hashed>();
/** The same for maps a held move wrote (their `held` not 0): apart, so the sealed content's hash is there again once the move is undone. */
const heldHashes = new WeakMap<object, Hashed>();

/** A cached hash: the seeds, both lanes, the held journals it holds under, and for a map or set its entries' sums before they were finished (`ra`, `rb`). */
interface Hashed {
  sa: number;
  sb: number;
  a: number;
  b: number;
  held: number;
  ra: number;
  rb: number;
}

/** The sums of the entries' shares of the last map or set hashObject hashed, before they were finished. */
let rawA = 0;
let rawB = 0;

/** Set by hashPair when the value it hashed holds a map or set (so its hash may change in place). */
let holdsMap = false;

function cached(v: object, sa: number, sb: number, held: number): boolean {
  const h = (held === 0 ? frozenHashes : heldHashes).get(v);
  if (h === undefined || h.sa !== sa || h.sb !== sb || h.held !== held) return false;
  outA = h.a;
  outB = h.b;
  return true;
}

/**
 * Hashes any JSON-like model value (numbers, strings, bigints, arrays, maps, sets, records) in
 * both lanes at once, one traversal for the two independent 32-bit halves; the result is left in
 * outA/outB.
 */
export function hashPair(v: unknown, sa: number, sb: number): void {
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
        outA = finish(mix(sa, v | 0));
        outB = finish(mix(sb, v | 0));
      } else stringPair('n' + v, sa, sb);
      return;
    case 'string':
      stringPair(v, sa + 1, sb + 1);
      return;
    case 'bigint':
      bigintPair(v, sa, sb);
      return;
    case 'boolean':
      outA = finish(mix(sa, v ? 0x51 : 0x50));
      outB = finish(mix(sb, v ? 0x51 : 0x50));
      return;
    case 'undefined':
      outA = outB = 0;
      return;
  }
  if (v === null) {
    outA = outB = 0;
    return;
  }
  const isMap = v instanceof Map || v instanceof Set;
  // a sealed map written in this move holds the move's content, not what its cached hash says;
  // one a held move wrote holds that move's while it is held.
  const level = isMap ? sealedWrittenHere(v as object) : 0;
  const keepable = level < 2 && Object.isFrozen(v);
  const held = level === 1 ? heldJournals() : 0;
  if (keepable && cached(v as object, sa, sb, held)) {
    if (isMap) holdsMap = true;
    return;
  }
  const outer = holdsMap;
  if (level === 2 && writtenSince(v as Map<unknown, unknown> | Set<unknown>, sa, sb)) {
    holdsMap = true;
    return;
  }
  // a frozen record holding maps: its own fields cannot change, only what the maps below hold.
  if (keepable && !isMap && !Array.isArray(v)) {
    if (!recordFromCache(v as object, sa, sb)) {
      hashRecord(v as Record<string, unknown>, sa, sb, true);
      // one with no map below never changes: cached as any frozen value.
      if (!holdsMap) frozenHashes.set(v as object, { sa, sb, a: outA, b: outB, held: 0, ra: 0, rb: 0 });
    }
    holdsMap = outer || holdsMap;
    return;
  }
  holdsMap = false;
  hashObject(v as object, sa, sb);
  const below = holdsMap;
  if (keepable && !below) (held === 0 ? frozenHashes : heldHashes).set(v as object, { sa, sb, a: outA, b: outB, held, ra: rawA, rb: rawB });
  holdsMap = outer || below || isMap;
}

/** Most writes to one map whose hash follows them write by write; a map written more is hashed whole. */
const MOST_WRITES = 32;

/** The map or set writtenSince adjusts, its seeds, its running sums, and whether a value it met holds a map. */
let wsMap: Map<unknown, unknown> | Set<unknown> | undefined;
let wsSa = 0;
let wsSb = 0;
let wsA = 0;
let wsB = 0;
let wsDeep = false;

/**
 * The hash of a sealed map or set the open journal wrote, from the hash it had before the move
 * (cached with its entries' sums) and the keys the move wrote: each one's share before taken away
 * and its share now added, as a page's hash follows its written words. False (outA/outB not set)
 * where no such hash is cached, the map took many writes, or a value now there holds a map.
 *
 * Why: a move pins or migrates one page and writes one or two keys of a map of dozens, which was
 * hashed whole for every successor.
 */
function writtenSince(v: Map<unknown, unknown> | Set<unknown>, sa: number, sb: number): boolean {
  if (!Object.isFrozen(v)) return false;
  const wrote = heldWrote(v);
  const held = wrote ? heldJournals() : 0;
  const h = (wrote ? heldHashes : frozenHashes).get(v);
  if (h === undefined || h.sa !== sa || h.sb !== sb || h.held !== held) return false;
  // a value written may hold a map written too, adjusted in turn: this one's sums wait on the stack.
  const pMap = wsMap;
  const pSa = wsSa;
  const pSb = wsSb;
  const pA = wsA;
  const pB = wsB;
  const pDeep = wsDeep;
  wsMap = v;
  wsSa = sa;
  wsSb = sb;
  wsA = h.ra;
  wsB = h.rb;
  wsDeep = false;
  const ok = sealedKeysWritten(v, MOST_WRITES, adjustKey) && !wsDeep;
  const a = wsA;
  const b = wsB;
  wsMap = pMap;
  wsSa = pSa;
  wsSb = pSb;
  wsA = pA;
  wsB = pB;
  wsDeep = pDeep;
  if (!ok) return false;
  const isSet = v instanceof Set;
  outA = finish(mix(a, isSet ? 0x53 : 0x4d));
  outB = finish(mix(b, isSet ? 0x53 : 0x4d));
  return true;
}

/** One written key's share before the move taken out of writtenSince's sums, and its share now put in. */
function adjustKey(k: unknown, had: boolean, old: unknown): void {
  const m = wsMap!;
  if (m instanceof Set) {
    const now = m.has(k);
    if (had === now) return;
    holdsMap = false;
    hashPair(k, wsSa, wsSb);
    if (holdsMap) wsDeep = true;
    wsA = (wsA + (now ? outA : -outA)) | 0;
    wsB = (wsB + (now ? outB : -outB)) | 0;
    return;
  }
  const x = m.get(k);
  if (had && old === x) return;
  if (had && old !== undefined) {
    entryShare(k, old);
    wsA = (wsA - outA) | 0;
    wsB = (wsB - outB) | 0;
  }
  if (x !== undefined) {
    holdsMap = false;
    entryShare(k, x);
    if (holdsMap) wsDeep = true;
    wsA = (wsA + outA) | 0;
    wsB = (wsB + outB) | 0;
  }
}

/** A map entry's share of its map's sum under writtenSince's seeds (as hashObject adds it), in outA/outB. */
function entryShare(k: unknown, x: unknown): void {
  hashPair(k, wsSa, wsSb);
  const ka = outA;
  const kb = outB;
  hashPair(x, wsSa ^ 0x5bd1e995, wsSb ^ 0x5bd1e995);
  outA = finish(mix(ka, outA));
  outB = finish(mix(kb, outB));
}

function hashObject(v: object, sa: number, sb: number): void {
  if (Array.isArray(v)) {
    let ha = sa ^ 0x4a;
    let hb = sb ^ 0x4a;
    for (const x of v) {
      hashPair(x, sa, sb);
      ha = mix(ha, outA);
      hb = mix(hb, outB);
    }
    outA = finish(mix(ha, v.length));
    outB = finish(mix(hb, v.length));
    return;
  }
  let suma = 0;
  let sumb = 0;
  if (v instanceof Map) {
    // keys, then each value by key: an entries() loop made a pair per entry.
    for (const k of v.keys()) {
      const x = v.get(k);
      if (x === undefined) continue;
      hashPair(k, sa, sb);
      const ka = outA;
      const kb = outB;
      hashPair(x, sa ^ 0x5bd1e995, sb ^ 0x5bd1e995);
      suma = (suma + finish(mix(ka, outA))) | 0;
      sumb = (sumb + finish(mix(kb, outB))) | 0;
    }
    rawA = suma;
    rawB = sumb;
    outA = finish(mix(suma, 0x4d));
    outB = finish(mix(sumb, 0x4d));
    return;
  }
  if (v instanceof Set) {
    for (const x of v) {
      hashPair(x, sa, sb);
      suma = (suma + outA) | 0;
      sumb = (sumb + outB) | 0;
    }
    rawA = suma;
    rawB = sumb;
    outA = finish(mix(suma, 0x53));
    outB = finish(mix(sumb, 0x53));
    return;
  }
  hashRecord(v as Record<string, unknown>, sa, sb, false);
}

/**
 * The cached hash of a frozen record whose fields hold maps (a process with its page map, a zPCI
 * function with its shadow table): the sum of its fields' shares, and the fields holding maps
 * (`deep`, flat: value, its name's hash in both lanes, its share in both lanes). Such a record was
 * hashed whole for every state and every successor, though only the maps below it can change.
 */
interface RecordHashed {
  readonly sa: number;
  readonly sb: number;
  readonly ra: number;
  readonly rb: number;
  readonly deep: readonly unknown[];
}

const recordHashes = new WeakMap<object, RecordHashed>();

/**
 * The hash of a frozen record hashed before under these seeds (in outA/outB; holdsMap set): its
 * cached sum with each field holding maps taken out at the share it had then and put in at the
 * share it has now (the maps' own hashes are cached, or follow their writes).
 */
function recordFromCache(v: object, sa: number, sb: number): boolean {
  const r = recordHashes.get(v);
  if (r === undefined || r.sa !== sa || r.sb !== sb) return false;
  let a = r.ra;
  let b = r.rb;
  const d = r.deep;
  for (let i = 0; i < d.length; i += 5) {
    hashPair(d[i], sa ^ 0x27d4eb2f, sb ^ 0x27d4eb2f);
    a = (a - (d[i + 3] as number) + finish(mix(d[i + 1] as number, outA))) | 0;
    b = (b - (d[i + 4] as number) + finish(mix(d[i + 2] as number, outB))) | 0;
  }
  outA = finish(mix(a, 0x4f));
  outB = finish(mix(b, 0x4f));
  holdsMap = true;
  return true;
}

/**
 * A record's hash: the sum of each field's share (its name's hash mixed with its value's). With
 * `keep` (the record is frozen), one holding maps is remembered for recordFromCache. Leaves
 * holdsMap set when a field holds a map or set.
 */
function hashRecord(o: Record<string, unknown>, sa: number, sb: number, keep: boolean): void {
  let suma = 0;
  let sumb = 0;
  let deep: unknown[] | undefined;
  let any = false;
  for (const k in o) {
    const x = o[k];
    if (x === undefined) continue;
    stringPair(k, sa, sb);
    const ka = outA;
    const kb = outB;
    holdsMap = false;
    hashPair(x, sa ^ 0x27d4eb2f, sb ^ 0x27d4eb2f);
    const shA = finish(mix(ka, outA));
    const shB = finish(mix(kb, outB));
    if (holdsMap) {
      any = true;
      if (keep) (deep ??= []).push(x, ka, kb, shA, shB);
    }
    suma = (suma + shA) | 0;
    sumb = (sumb + shB) | 0;
  }
  outA = finish(mix(suma, 0x4f));
  outB = finish(mix(sumb, 0x4f));
  if (deep !== undefined) recordHashes.set(o, { sa, sb, ra: suma, rb: sumb, deep });
  holdsMap = any;
}

/**
 * Both 32-bit halves of a value's hash (the orbit keys of symmetry reduction use it). A safe
 * integer is hashed by its two halves, not by its text: an orbit key packed into one number is
 * asked for on every transition.
 */
export function hashValue(v: unknown): [number, number] {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    const hi = Math.floor(v / 4294967296);
    const lo = v % 4294967296;
    return [finish(mix(mix(SEED_A ^ 0x5a, hi), lo)) >>> 0, finish(mix(mix(SEED_B ^ 0x5a, hi), lo)) >>> 0];
  }
  hashPair(v, SEED_A, SEED_B);
  return [outA >>> 0, outB >>> 0];
}

