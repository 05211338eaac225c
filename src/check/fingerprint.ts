/**
 * A 64-bit fingerprint of a world's state, as two independent 32-bit hash lanes: every field
 * hashed as value-hash.ts hashes any value (a frozen record map's hash computed once), and the
 * frame pool as page-hash.ts sums it. Frame contents count by value (a never-written frame equals
 * an all-zero one). Statistics and copy-on-write bookkeeping are not state and are left out.
 * Kept up move by move for the checker's successors (successorFingerprint). Pure.
 */
import { frameBuf } from '../memory/frames.js';
import { derivedCache, heldJournals, sealedWritten } from '../kernel/seal.js';
import type { WorldJournal } from '../kernel/in-place.js';
import { RECORD_MAPS, SCALARS, type RecordMap, type World } from '../model/world.js';
import { finish, mix } from '../util/murmur.js';
import { bookkeeping, contentShareA, contentShareB, pageShareA, pageShareB, pagesSum } from './page-hash.js';
import { hashPair, laneA, laneB, SEED_A, SEED_B, stringPair } from './value-hash.js';

/** Hashes of frozen record maps (model/fork.ts), `held` as for value-hash.ts's frozen hashes: they change only in place (see fieldHash), and forks share them. */
const sealedHashes = derivedCache<{ a: number; b: number; held: number }>();
const heldFieldHashes = new WeakMap<object, { a: number; b: number; held: number }>();

/** The pair result of the last fieldHash call. */
let fieldA = 0;
let fieldB = 0;

/**
 * Field `k`'s hash (a frozen map's computed once) left in fieldA/fieldB. A frozen map written in
 * place by the move being journalled (kernel/seal.ts) is hashed afresh and its cached hash left
 * alone: the move is undone. One a held move wrote is kept for as long as that move is held.
 */
function fieldHash(x: unknown, k: string): void {
  const level = typeof x === 'object' && x !== null ? sealedWritten(k) : 2;
  const held = level === 1 ? heldJournals() : 0;
  const h = level === 0 ? sealedHashes.get(x as object) : level === 1 ? heldFieldHashes.get(x as object) : undefined;
  if (h !== undefined && h.held === held) {
    fieldA = h.a;
    fieldB = h.b;
    return;
  }
  hashPair(x, SEED_A ^ 0x27d4eb2f, SEED_B ^ 0x27d4eb2f);
  fieldA = laneA();
  fieldB = laneB();
  if (level < 2 && Object.isFrozen(x)) (level === 0 ? sealedHashes : heldFieldHashes).set(x as object, { a: fieldA, b: fieldB, held });
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
      maps[2 * m] = fieldA;
      maps[2 * m + 1] = fieldB;
    }
    suma = (suma + finish(mix(ka, fieldA))) | 0;
    sumb = (sumb + finish(mix(kb, fieldB))) | 0;
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
      pa = (pa - contentShareA(pfn, hA)) | 0;
      pb = (pb - contentShareB(pfn, hB)) | 0;
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
      fa = (fa + finish(mix(ka, fieldA))) | 0;
      fb = (fb + finish(mix(kb, fieldB))) | 0;
    }
  }
  return combine(fa, fb, pool.next, pa, pb, j.bookkeepingChanged() ? bookkeeping(pool) : base.book);
}

/** Every hashed world field with its name's hash pair and its index in RECORD_MAPS (-1: a scalar), computed once. */
let fieldKeyCache: [string, number, number, number][] | undefined;
function fieldKeys(): [string, number, number, number][] {
  return (fieldKeyCache ??= [...SCALARS, ...RECORD_MAPS].map((k) => {
    stringPair(k, SEED_A, SEED_B);
    return [k, laneA(), laneB(), (RECORD_MAPS as readonly string[]).indexOf(k)];
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

