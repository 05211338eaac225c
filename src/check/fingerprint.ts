/**
 * A 64-bit fingerprint of a world's state, as two independent 32-bit hash lanes. Canonical: maps,
 * sets and records combine their entries with addition, so the order things were inserted in
 * (history) never splits equal states; arrays are ordered. Frame contents count by value (a
 * never-written frame equals an all-zero one) and are hashed once per page version. Statistics and
 * copy-on-write bookkeeping are not state and are left out. Pure.
 */
import { frameBuf, type FramePool, type PageBuf } from '../memory/frames.js';
import { derivedCache, heldJournals, heldWrote, sealedKeysWritten, sealedWritten, sealedWrittenHere } from '../kernel/seal.js';
import type { WorldJournal } from '../kernel/in-place.js';
import { RECORD_MAPS, SCALARS, type RecordMap, type World } from '../model/world.js';
import { finish, hashString, mix } from '../util/murmur.js';

const SEED_A = 0x9e3779b1;
const SEED_B = 0x85ebca77;

// the same short strings (field names, ids, lifecycle states, frame owners) recur in every state:
// each is hashed once, seed-free, and the seed is mixed in afterwards.
const memo = new Map<string, [number, number]>();

/** The pair result of the last hashPair call (two registers, so the hot path allocates nothing). */
let outA = 0;
let outB = 0;

function stringPair(s: string, sa: number, sb: number): void {
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
function hashPair(v: unknown, sa: number, sb: number): void {
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

/** One 32-bit word's share of a page's hash, lane A and lane B (zero words add nothing). */
const wordA = (i: number, x: number) => finish(mix(mix(SEED_A, i), x));
const wordB = (i: number, x: number) => finish(mix(mix(SEED_B, i), x));

const wordsOf = (buf: PageBuf) => (buf.words ??= new Uint32Array(buf.data.buffer, buf.data.byteOffset, buf.data.byteLength >>> 2));

/**
 * A page's content hash, left in the buffer's hashA/hashB: the sum of its non-zero words'
 * shares, so 0/0 for an all-zero page. Additive, so a copy is hashed from its source's hash and
 * the words in its written range; the source is hashed first when it is not yet (its siblings
 * share it).
 */
function pageHash(buf: PageBuf): void {
  if (buf.hashSeq === buf.seq) return;
  const words = wordsOf(buf);
  let a = 0;
  let b = 0;
  const src = buf.from;
  if (src !== undefined) {
    pageHash(src);
    const old = wordsOf(src);
    a = src.hashA;
    b = src.hashB;
    const end = Math.min(words.length, (buf.hi + 3) >>> 2);
    for (let i = buf.lo >>> 2; i < end; i++) {
      const x = words[i];
      const y = old[i];
      if (x === y) continue;
      if (y !== 0) {
        a = (a - wordA(i, y)) | 0;
        b = (b - wordB(i, y)) | 0;
      }
      if (x !== 0) {
        a = (a + wordA(i, x)) | 0;
        b = (b + wordB(i, x)) | 0;
      }
    }
  } else {
    for (let i = 0; i < words.length; i++) {
      const x = words[i];
      if (x === 0) continue;
      a = (a + wordA(i, x)) | 0;
      b = (b + wordB(i, x)) | 0;
    }
  }
  buf.hashSeq = buf.seq;
  buf.hashA = a;
  buf.hashB = b;
}

/** A frame's share of the pool hash: its number mixed with its contents' hash; 0 for a zero page. */
function pageShareA(pfn: number, buf: PageBuf): number {
  pageHash(buf);
  return buf.hashA === 0 && buf.hashB === 0 ? 0 : finish(mix(finish(mix(SEED_A, pfn)), buf.hashA));
}

function pageShareB(pfn: number, buf: PageBuf): number {
  pageHash(buf);
  return buf.hashA === 0 && buf.hashB === 0 ? 0 : finish(mix(finish(mix(SEED_B, pfn)), buf.hashB));
}

/** Sums of base page layers (which never change once built; clones share them). */
const sharedHashes = new WeakMap<object, [number, number]>();

/** Hashes of free lists, each with the pool stamp it was taken at (memory/frames.ts). */
const bookHashes = new WeakMap<object, { stamp: number; a: number; b: number }>();

function bookkeepingHash(v: number[], pool: FramePool): void {
  const h = bookHashes.get(v);
  if (h !== undefined && h.stamp === pool.stamp) {
    outA = h.a;
    outB = h.b;
    return;
  }
  hashPair(v, SEED_A, SEED_B);
  bookHashes.set(v, { stamp: pool.stamp, a: outA, b: outB });
}

/** Both lanes of the sum of the pool's page shares (contents by pfn). */
function pagesSum(pool: FramePool): [number, number] {
  // the base layer never changes, so its sum is kept; the pool's own layer adjusts it.
  let base = sharedHashes.get(pool.base);
  if (base === undefined) {
    let a = 0;
    let b = 0;
    for (const [pfn, buf] of pool.base) {
      a = (a + pageShareA(pfn, buf)) | 0;
      b = (b + pageShareB(pfn, buf)) | 0;
    }
    sharedHashes.set(pool.base, (base = [a, b]));
  }
  let suma = base[0];
  let sumb = base[1];
  for (const [pfn, buf] of pool.pages) {
    const old = pool.base.get(pfn);
    if (old !== undefined) {
      suma = (suma - pageShareA(pfn, old)) | 0;
      sumb = (sumb - pageShareB(pfn, old)) | 0;
    }
    if (buf !== null) {
      suma = (suma + pageShareA(pfn, buf)) | 0;
      sumb = (sumb + pageShareB(pfn, buf)) | 0;
    }
  }
  return [suma, sumb];
}

/**
 * The owner map's and free list's hashes: [owners A, owners B, free list A, free list B]. The
 * owners' is the running sum the pool keeps (memory/owner-sum.ts), finished like a map's hash.
 */
function bookkeeping(pool: FramePool): number[] {
  bookkeepingHash(pool.free, pool);
  return [finish(mix(pool.ownerA, 0x4d)), finish(mix(pool.ownerB, 0x4d)), outA, outB];
}

/** Hashes of frozen record maps (model/fork.ts), `held` as for frozenHashes: they change only in place (see fieldHash), and forks share them. */
const sealedHashes = derivedCache<{ a: number; b: number; held: number }>();
const heldFieldHashes = new WeakMap<object, { a: number; b: number; held: number }>();

/**
 * Field `k`'s hash (a frozen map's computed once) left in outA/outB. A frozen map written in place
 * by the move being journalled (kernel/seal.ts) is hashed afresh and its cached hash left alone:
 * the move is undone. One a held move wrote is kept for as long as that move is held.
 */
function fieldHash(x: unknown, k: string): void {
  const level = typeof x === 'object' && x !== null ? sealedWritten(k) : 2;
  const held = level === 1 ? heldJournals() : 0;
  const h = level === 0 ? sealedHashes.get(x as object) : level === 1 ? heldFieldHashes.get(x as object) : undefined;
  if (h !== undefined && h.held === held) {
    outA = h.a;
    outB = h.b;
    return;
  }
  hashPair(x, SEED_A ^ 0x27d4eb2f, SEED_B ^ 0x27d4eb2f);
  if (level < 2 && Object.isFrozen(x)) (level === 0 ? sealedHashes : heldFieldHashes).set(x as object, { a: outA, b: outB, held });
}

/**
 * The world's fields (frames and statistics apart) as the sum of their shares, both lanes; each
 * record map's hash is left in `maps` (lanes A and B at 2i and 2i + 1, RECORD_MAPS order).
 */
function fieldsSum(w: World, maps: Int32Array): [number, number] {
  let suma = 0;
  let sumb = 0;
  const o = w as unknown as Record<string, unknown>;
  for (const [k, ka, kb, m] of fieldKeys()) {
    const x = o[k];
    if (x === undefined) continue;
    fieldHash(x, k);
    if (m >= 0) {
      maps[2 * m] = outA;
      maps[2 * m + 1] = outB;
    }
    suma = (suma + finish(mix(ka, outA))) | 0;
    sumb = (sumb + finish(mix(kb, outB))) | 0;
  }
  return [suma, sumb];
}

/**
 * The key from the fields' sum and the frame pool's hash: the page sum, then the owners' and free
 * list's hashes (`book`, as `bookkeeping` gives them) and the bump pointer mixed in.
 */
function combine(fa: number, fb: number, next: number, pa: number, pb: number, book: readonly number[]): [number, number] {
  const framesA = finish(mix(mix(mix(pa, book[0]), book[2]), next));
  const framesB = finish(mix(mix(mix(pb, book[1]), book[3]), next));
  return [finish(mix(finish(mix(fa, 0x4f)), framesA)) >>> 0, finish(mix(finish(mix(fb, 0x4f)), framesB)) >>> 0];
}

/**
 * The state's fingerprint as [hi, lo] 32-bit halves: the world's fields hashed as hashPair hashes
 * any record (frames and statistics apart), with a frozen map's hash computed once.
 */
export function fingerprint(w: World): [number, number] {
  return keyBase(w).key;
}

/** What an expanded state's successors derive their fingerprints from: its field and page sums. */
export interface KeyBase {
  readonly fa: number;
  readonly fb: number;
  readonly pa: number;
  readonly pb: number;
  /** The owner map's and free list's hashes, lanes A and B of each: a move that allocates and frees nothing keeps them. */
  readonly book: readonly number[];
  /** Each record map's hash (lanes at 2i, 2i + 1, RECORD_MAPS order): the share a successor's changed map takes away. */
  readonly maps: Int32Array;
  readonly key: [number, number];
}

/** An expanded state's key and sums (every page's hash is known afterwards, as successorFingerprint needs). */
export function keyBase(w: World): KeyBase {
  const [pa, pb] = pagesSum(w.frames);
  const maps = new Int32Array(2 * RECORD_MAPS.length);
  const [fa, fb] = fieldsSum(w, maps);
  const book = bookkeeping(w.frames);
  return { fa, fb, pa, pb, book, maps, key: combine(fa, fb, w.frames.next, pa, pb, book) };
}

/**
 * The fingerprint of the state `base` was taken of with one move applied in place, journalled in
 * `j`: the shares of the maps the move replaced and of the frames it touched are subtracted and
 * the new ones added, so the cost follows what the move changed. Equal to fingerprint(w) (tested);
 * it falls back to that when the journal cannot say (a scalar changed, a frame's old hash unknown).
 */
export function successorFingerprint(base: KeyBase, w: World, j: WorldJournal): [number, number] {
  if (!j.scalarsSame() || !j.touchedHashesKnown()) return fingerprint(w);
  let pa = base.pa;
  let pb = base.pb;
  const pool = w.frames;
  const n = j.touchedCount();
  for (let i = 0; i < n; i++) {
    const pfn = j.touchedFrame(i);
    const hA = j.touchedHash(i, 0);
    const hB = j.touchedHash(i, 1);
    if (hA !== 0 || hB !== 0) {
      pa = (pa - finish(mix(finish(mix(SEED_A, pfn)), hA))) | 0;
      pb = (pb - finish(mix(finish(mix(SEED_B, pfn)), hB))) | 0;
    }
    const buf = frameBuf(pool, pfn);
    if (buf !== undefined) {
      pa = (pa + pageShareA(pfn, buf)) | 0;
      pb = (pb + pageShareB(pfn, buf)) | 0;
    }
  }
  let fa = base.fa;
  let fb = base.fb;
  const changed = j.mapsChanged();
  if (changed.length > 0) {
    const o = w as unknown as Record<string, unknown>;
    const keys = mapKeys();
    for (let c = 0; c < changed.length; c++) {
      const m = changed[c];
      const [k, ka, kb] = keys[m];
      // records a footprint copied and the event left as they were: the same content, the same share.
      if (!j.changed(k)) continue;
      // the share it had, as the state's key took it (a map written in place holds the move's content now).
      fa = (fa - finish(mix(ka, base.maps[2 * m]))) | 0;
      fb = (fb - finish(mix(kb, base.maps[2 * m + 1]))) | 0;
      fieldHash(o[k], k);
      fa = (fa + finish(mix(ka, outA))) | 0;
      fb = (fb + finish(mix(kb, outB))) | 0;
    }
  }
  return combine(fa, fb, pool.next, pa, pb, j.bookkeepingChanged() ? bookkeeping(pool) : base.book);
}

/** Every hashed world field with its name's hash pair and its index in RECORD_MAPS (-1: a scalar), computed once. */
let fieldKeyCache: [string, number, number, number][] | undefined;
function fieldKeys(): [string, number, number, number][] {
  return (fieldKeyCache ??= [...SCALARS, ...RECORD_MAPS].map((k) => {
    stringPair(k, SEED_A, SEED_B);
    return [k, outA, outB, (RECORD_MAPS as readonly string[]).indexOf(k)];
  }));
}

/** The record maps among fieldKeys, in RECORD_MAPS order (WorldJournal.mapsChanged numbers them so). */
let mapKeyCache: [RecordMap, number, number][] | undefined;
function mapKeys(): [RecordMap, number, number][] {
  return (mapKeyCache ??= RECORD_MAPS.map((m) => [m, ...fieldKeys().find(([k]) => k === m)!.slice(1, 3)] as [RecordMap, number, number]));
}

/** Fingerprint halves as one bigint, for display. */
export function fingerprintBig(fp: [number, number]): bigint {
  return (BigInt(fp[0]) << 32n) | BigInt(fp[1]);
}
