/**
 * A frame pool's share of the state fingerprint: each page's content hash (kept in its buffer,
 * derived from the buffer it was copied from), the pages' sum by pfn, and the hashes of the owner
 * map and free list. Pure but for the caches.
 */
import { type FramePool, type PageBuf } from '../memory/frames.js';
import { finish, mix } from '../util/murmur.js';
import { hashPair, laneA, laneB, SEED_A, SEED_B } from './value-hash.js';

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

/** Frame `pfn`'s share of the pool hash with contents hashed `h` (one lane; the caller leaves out a zero page, 0/0). */
export const contentShareA = (pfn: number, h: number): number => finish(mix(finish(mix(SEED_A, pfn)), h));
export const contentShareB = (pfn: number, h: number): number => finish(mix(finish(mix(SEED_B, pfn)), h));

/** A frame's share of the pool hash: its number mixed with its contents' hash; 0 for a zero page. */
export function pageShareA(pfn: number, buf: PageBuf): number {
  pageHash(buf);
  return buf.hashA === 0 && buf.hashB === 0 ? 0 : contentShareA(pfn, buf.hashA);
}

export function pageShareB(pfn: number, buf: PageBuf): number {
  pageHash(buf);
  return buf.hashA === 0 && buf.hashB === 0 ? 0 : contentShareB(pfn, buf.hashB);
}

/** Sums of base page layers (which never change once built; clones share them). */
const sharedHashes = new WeakMap<object, [number, number]>();

/** Hashes of free lists, each with the pool stamp it was taken at (memory/frames.ts). */
const bookHashes = new WeakMap<object, { stamp: number; a: number; b: number }>();

/** The pair result of the last bookkeepingHash call. */
let bookA = 0;
let bookB = 0;

function bookkeepingHash(v: number[], pool: FramePool): void {
  const h = bookHashes.get(v);
  if (h !== undefined && h.stamp === pool.stamp) {
    bookA = h.a;
    bookB = h.b;
    return;
  }
  hashPair(v, SEED_A, SEED_B);
  bookA = laneA();
  bookB = laneB();
  bookHashes.set(v, { stamp: pool.stamp, a: bookA, b: bookB });
}

/** Both lanes of the sum of the pool's page shares (contents by pfn). */
export function pagesSum(pool: FramePool): [number, number] {
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
export function bookkeeping(pool: FramePool): number[] {
  bookkeepingHash(pool.free, pool);
  return [finish(mix(pool.ownerA, 0x4d)), finish(mix(pool.ownerB, 0x4d)), bookA, bookB];
}

