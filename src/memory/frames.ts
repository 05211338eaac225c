/**
 * Host physical memory: 4 KiB frames of real bytes. Frames that were never written read as
 * zeros and hold no buffer, so memory follows touched pages, not configured size. Pages are
 * copy-on-write between cloned worlds: a page buffer is shared until one side writes it.
 */
import { PAGE_SIZE } from './constants.js';

/** What a frame is allocated for; `anon:<mm>` frames back process pages. */
export type FrameOwner = string;

export interface PageBuf {
  /** Generation of the pool that may write this buffer in place. */
  gen: number;
  /** Bumped on every write access, so caches of what a page contained can tell it changed. */
  seq: number;
  data: Uint8Array;
  /**
   * The buffer this one was copied from, until a content hash is derived from it: a copy differs
   * from its source in a few words, so comparing the two is cheaper than hashing the whole page.
   */
  from?: PageBuf;
  /** Byte range [lo, hi) written since the copy from `from`: the only words that can differ. */
  lo: number;
  hi: number;
  /** The content hash's two lanes and the `seq` they were computed at (check/fingerprint.ts); -1 when none. */
  hashSeq: number;
  hashA: number;
  hashB: number;
}

export interface FramePool {
  gen: number;
  /** Non-zero contents by pfn. */
  bytes: Map<number, PageBuf>;
  /** Allocated frames and their owner. */
  owner: Map<number, FrameOwner>;
  /** Bump pointer for never-used frames. */
  next: number;
  /** Freed frames, sorted descending so the lowest is reused first: allocation depends only on state. */
  free: number[];
  /** `owner` and `free` are shared with a clone and are copied before the first write. */
  shared: boolean;
  /** `bytes` is shared with a clone and is copied before the first page is replaced or dropped. */
  bytesShared: boolean;
  /**
   * Frames whose buffer this pool replaced or dropped since it was cloned, so a fork can tell
   * cheaply whether it still equals its parent; undefined when never cloned or past a few dozen.
   */
  written?: number[];
}

/** First pfn handed out; frame 0 is never used because several table formats treat address 0 as invalid. */
export const FIRST_PFN = 0x100;

let generations = 1;
let writeSeq = 1;

/** A fresh generation number; used to give both sides of a clone their own write permission. */
export function nextGeneration(): number {
  return generations++;
}

export function emptyPool(): FramePool {
  return { gen: nextGeneration(), bytes: new Map(), owner: new Map(), next: FIRST_PFN, free: [], shared: false, bytesShared: false };
}

/**
 * Copies the page map and shares page buffers (copy-on-write) and the owner map and free list
 * (copied on the first allocation or free); both pools get new generations.
 */
export function clonePool(pool: FramePool): FramePool {
  pool.gen = nextGeneration();
  pool.shared = true;
  pool.bytesShared = true;
  pool.written = undefined;
  return { gen: nextGeneration(), bytes: pool.bytes, owner: pool.owner, next: pool.next, free: pool.free, shared: true, bytesShared: true, written: [] };
}

/** The pool's page map, its own to change. */
function ownBytes(pool: FramePool): Map<number, PageBuf> {
  if (pool.bytesShared) {
    pool.bytes = new Map(pool.bytes);
    pool.bytesShared = false;
  }
  return pool.bytes;
}

const WRITTEN_KEPT = 32;

function noteWritten(pool: FramePool, pfn: number): void {
  const w = pool.written;
  if (w === undefined) return;
  if (w.length < WRITTEN_KEPT) w.push(pfn);
  else pool.written = undefined;
}

/** Makes the pool's owner map and free list its own before it changes them. */
function own(pool: FramePool): void {
  if (!pool.shared) return;
  pool.owner = new Map(pool.owner);
  pool.free = pool.free.slice();
  pool.shared = false;
}

/** Allocates a zeroed frame for `owner` and returns its pfn. */
export function allocFrame(pool: FramePool, owner: FrameOwner): number {
  own(pool);
  const pfn = pool.free.length > 0 ? pool.free.pop()! : pool.next++;
  pool.owner.set(pfn, owner);
  return pfn;
}

/** Allocates `count` contiguous frames aligned to `align` frames (16 KiB s390 tables); returns the first pfn. */
export function allocContiguous(pool: FramePool, count: number, align: number, owner: FrameOwner): number {
  own(pool);
  const first = Math.ceil(pool.next / align) * align;
  for (let p = pool.next; p < first; p++) insertFree(pool, p);
  for (let i = 0; i < count; i++) pool.owner.set(first + i, owner);
  pool.next = first + count;
  return first;
}

/** Claims a specific free frame (migration target); false when it is in use. */
export function claimFrame(pool: FramePool, pfn: number, owner: FrameOwner): boolean {
  if (pool.owner.has(pfn)) return false;
  own(pool);
  if (pfn >= pool.next) {
    for (let p = pool.next; p < pfn; p++) insertFree(pool, p);
    pool.next = pfn + 1;
  } else {
    const i = pool.free.indexOf(pfn);
    if (i >= 0) pool.free.splice(i, 1);
  }
  pool.owner.set(pfn, owner);
  return true;
}

/** Frees a frame and zeroes it. */
export function freeFrame(pool: FramePool, pfn: number): void {
  own(pool);
  pool.owner.delete(pfn);
  if (pool.bytes.has(pfn)) {
    ownBytes(pool).delete(pfn);
    noteWritten(pool, pfn);
  }
  insertFree(pool, pfn);
}

function insertFree(pool: FramePool, pfn: number): void {
  const f = pool.free;
  let lo = 0;
  let hi = f.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (f[mid] > pfn) lo = mid + 1;
    else hi = mid;
  }
  f.splice(lo, 0, pfn);
}

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

// page buffers are carved out of 64 KiB slabs: a buffer of its own per page cost four times as
// much to allocate, and the checker copies a page on nearly every transition. A slab lives while
// any of its pages does; pages are never handed out twice, so every new page is zero.
const SLAB_PAGES = 16;
let slab = new ArrayBuffer(0);
let slabUsed = SLAB_PAGES;

function newPage(): Uint8Array {
  if (slabUsed === SLAB_PAGES) {
    slab = new ArrayBuffer(SLAB_PAGES * PAGE_SIZE);
    slabUsed = 0;
  }
  return new Uint8Array(slab, PAGE_SIZE * slabUsed++, PAGE_SIZE);
}

function copyPage(data: Uint8Array): Uint8Array {
  const out = newPage();
  out.set(data);
  return out;
}

/** The frame's page buffer and write sequence, for caches of derived data; undefined for a zero frame. */
export function frameBuf(pool: FramePool, pfn: number): PageBuf | undefined {
  return pool.bytes.get(pfn);
}

/** The frame's bytes for reading; never-written frames share one zero buffer (do not write it). */
export function frameForRead(pool: FramePool, pfn: number): Uint8Array {
  return pool.bytes.get(pfn)?.data ?? ZERO_PAGE;
}

/**
 * The frame's bytes for writing, copying a shared buffer first. The caller writes only the
 * `len` bytes at `off` (the whole page unless it says otherwise): hashing relies on it.
 */
export function frameForWrite(pool: FramePool, pfn: number, off = 0, len = PAGE_SIZE): Uint8Array {
  const buf = pool.bytes.get(pfn);
  if (buf === undefined) {
    const data = newPage();
    noteWritten(pool, pfn);
    ownBytes(pool).set(pfn, { gen: pool.gen, seq: writeSeq++, data, lo: 0, hi: 0, hashSeq: -1, hashA: 0, hashB: 0 });
    return data;
  }
  if (buf.gen !== pool.gen) {
    // two links at most, so a line of copies never keeps a page's whole history alive.
    if (buf.from !== undefined) buf.from.from = undefined;
    noteWritten(pool, pfn);
    const copy = { gen: pool.gen, seq: writeSeq++, data: copyPage(buf.data), from: buf, lo: off, hi: off + len, hashSeq: -1, hashA: 0, hashB: 0 };
    ownBytes(pool).set(pfn, copy);
    return copy.data;
  }
  buf.seq = writeSeq++;
  if (off < buf.lo) buf.lo = off;
  if (off + len > buf.hi) buf.hi = off + len;
  return buf.data;
}

/** Copies one frame's bytes to another (migration). */
export function copyFrame(pool: FramePool, from: number, to: number): void {
  const src = pool.bytes.get(from);
  noteWritten(pool, to);
  if (src === undefined) ownBytes(pool).delete(to);
  else ownBytes(pool).set(to, src.gen === pool.gen
      ? { gen: pool.gen, seq: writeSeq++, data: copyPage(src.data), lo: 0, hi: 0, hashSeq: -1, hashA: 0, hashB: 0 }
      : { gen: src.gen, seq: src.seq, data: src.data, lo: 0, hi: 0, hashSeq: src.hashSeq, hashA: src.hashA, hashB: src.hashB });
}
