/**
 * Host physical memory: 4 KiB frames of real bytes. Frames that were never written read as
 * zeros and hold no buffer, so memory follows touched pages, not configured size. Pages are
 * copy-on-write between cloned worlds: a page buffer is shared until one side writes it.
 */
import { ownerShareA, ownerShareB } from './owner-sum.js';
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
   * The buffer this one was copied from (never written again): a copy differs from its source in
   * a few words, so its hash and table scans are derived from the source's. Copies link at most
   * two deep, so a line of copies never keeps a page's whole history alive.
   */
  from?: PageBuf;
  /** Byte range [lo, hi) written since the copy from `from`: the only words that can differ. */
  lo: number;
  hi: number;
  /** The content hash's two lanes and the `seq` they were computed at (check/page-hash.ts); -1 when none. */
  hashSeq: number;
  hashA: number;
  hashB: number;
  /** `data` as 32-bit words, made when first hashed (check/page-hash.ts): a view per hash cost more than the hash. */
  words: Uint32Array | undefined;
}

/** A page buffer; every one is made here, so all have one shape. */
function pageBuf(gen: number, seq: number, data: Uint8Array, from: PageBuf | undefined, lo: number, hi: number, hashSeq: number, hashA: number, hashB: number): PageBuf {
  return { gen, seq, data, from, lo, hi, hashSeq, hashA, hashB, words: undefined };
}

export interface FramePool {
  gen: number;
  /**
   * Contents by pfn, in two layers: `base` is never changed once built (clones share it), and
   * `pages` holds this pool's own replacements on top of it (null: the frame was dropped). A
   * clone so costs an empty map, not a copy of every page's entry. Read them through
   * `frameBuf` and `forEachPage`.
   */
  base: ReadonlyMap<number, PageBuf>;
  pages: Map<number, PageBuf | null>;
  /** Allocated frames and their owner. Changed only here (setOwner, dropOwner) and by the journal's undo. */
  owner: Map<number, FrameOwner>;
  /** The sums, per lane, of every owner entry's share (memory/owner-sum.ts): the owner map's running hash. */
  ownerA: number;
  ownerB: number;
  /** Bump pointer for never-used frames. */
  next: number;
  /** Freed frames, sorted descending so the lowest is reused first: allocation depends only on state. */
  free: number[];
  /** `owner` and `free` are shared with a clone and are copied before the first write (but by a journal that undoes every move, FrameJournal.writesShared). */
  shared: boolean;
  /**
   * Changed whenever `owner` or `free` is written where it is, to a number never used before (a
   * journal that puts them back puts back the number too): something derived from them (their
   * hash) and noted with the stamp holds while the pool has that stamp.
   */
  stamp: number;
  /** Set while the checker applies a choice in place: told of every change before it is made (frame-journal.ts). */
  journal?: FrameJournal;
  /**
   * The most frames that may be in use before an event starts, counting what it could allocate
   * (kernel/limits.ts): the host's RAM unless a run raises it (`--limit frames=N`). Configuration,
   * not state: no fingerprint or digest covers it.
   */
  limit: number;
  /**
   * Set while a property is checked in replay: every frame whose bytes are read is added
   * (ALL_FRAMES when every page is read), so the property is checked again only when one of
   * those frames changes (log/replay.ts).
   */
  reads?: Set<number>;
}

/** In a pool's `reads`: every frame was read. */
export const ALL_FRAMES = -1;

/**
 * What a pool tells the journal that undoes a choice applied in place: every change, before it is
 * made (bytes and pages), or as it is made (owners and the free list, written in place: a pool
 * that shares them with a clone copies them first, see `own`).
 */
export interface FrameJournal {
  /**
   * Every change is undone before anything else reads the pool (the checker's expansion): owners
   * and a free list shared with a clone are written where they are, not copied, and put back in
   * place. A journal whose changes may stand (replay's commit) is false.
   */
  readonly writesShared: boolean;
  /** Frame `pfn` is about to change (its bytes, or which buffer holds them). */
  touch(pfn: number): void;
  /** Bytes [off, off+len) of `buf`, the pool's own buffer, are about to be written in place. */
  bytes(buf: PageBuf, off: number, len: number): void;
  /** The pool's own-layer entry of `pfn` (`prev`) is about to be replaced. */
  layer(pfn: number, prev: PageBuf | null | undefined): void;
  /** `pfn` was just given an owner: popped off the free list's end (`fromFree`), or never free. */
  allocated(pfn: number, fromFree: boolean): void;
  /** `pfn`, owned by `owner`, is about to be freed. */
  freeing(pfn: number, owner: FrameOwner): void;
  /** `pfn` is about to be taken out of the free list at index `at` (a claim of a given frame). */
  claimed(pfn: number, at: number): void;
  /** The free list and bump pointer are about to change in a way not told entry by entry (frames skipped over). */
  reshaping(pool: FramePool): void;
}

/** First pfn handed out; frame 0 is never used because several table formats treat address 0 as invalid. */
export const FIRST_PFN = 0x100;
/**
 * The host's frames: 1 GiB of RAM. It bounds a migration that names its target frame (claiming
 * one above every frame in use frees the ones in between, and that work and the free list it
 * makes must stay bounded whatever a log asks for), and it is the default limit of frames in use
 * (FramePool.limit, kernel/limits.ts).
 */
export const HOST_FRAMES = 1 << 18;
/** The most `--limit frames=N` accepts: 16 GiB of host RAM, as many frames as the owner map should ever hold. */
export const MAX_FRAMES = 1 << 22;

let generations = 1;
let writeSeq = 1;
let stamps = 1;

/** Notes that the pool's owners or free list are about to change in place. */
function restamp(pool: FramePool): void {
  pool.stamp = stamps++;
}

/** A fresh generation number; used to give both sides of a clone their own write permission. */
export function nextGeneration(): number {
  return generations++;
}

export function emptyPool(): FramePool {
  return { gen: nextGeneration(), base: new Map(), pages: new Map(), owner: new Map(), ownerA: 0, ownerB: 0, next: FIRST_PFN, free: [], shared: false, stamp: stamps++, limit: HOST_FRAMES, journal: undefined, reads: undefined };
}

/**
 * Shares the page contents (copy-on-write) and the owner map and free list (copied on the first
 * allocation or free); both pools get new generations, so neither writes a buffer the other holds.
 * The clone shares the original's base and copies its own layer while that is small beside the
 * base; a larger own layer is first folded into a new base, which the clone then shares.
 *
 * Why: the checker forks a state's parent for each state it rebuilds, and the parent's own layer
 * is the few pages its last moves wrote, where folding copied every page's entry.
 */
export function clonePool(pool: FramePool): FramePool {
  if (pool.journal) throw new Error('a journalled frame pool cannot be cloned');
  pool.gen = nextGeneration();
  pool.shared = true;
  if (pool.pages.size * FOLD_RATIO > pool.base.size) {
    const base = new Map(pool.base);
    for (const [pfn, buf] of pool.pages) {
      if (buf === null) base.delete(pfn);
      else base.set(pfn, buf);
    }
    pool.base = base;
    pool.pages = new Map();
  }
  const pages = pool.pages.size === 0 ? new Map<number, PageBuf | null>() : new Map(pool.pages);
  return { gen: nextGeneration(), base: pool.base, pages, owner: pool.owner, ownerA: pool.ownerA, ownerB: pool.ownerB, next: pool.next, free: pool.free, shared: true, stamp: pool.stamp, limit: pool.limit, journal: undefined, reads: undefined };
}

/** An own layer of more than one page per this many of the base is folded into a new base when the pool is cloned. */
const FOLD_RATIO = 8;

/** Every frame holding bytes, with its buffer. */
export function forEachPage(pool: FramePool, fn: (pfn: number, buf: PageBuf) => void): void {
  pool.reads?.add(ALL_FRAMES);
  for (const [pfn, buf] of pool.base) if (!pool.pages.has(pfn)) fn(pfn, buf);
  for (const [pfn, buf] of pool.pages) if (buf !== null) fn(pfn, buf);
}

/** How many frames hold bytes. */
export function pageCount(pool: FramePool): number {
  let n = 0;
  forEachPage(pool, () => n++);
  return n;
}

/** Makes the pool's owner map and free list its own before it changes them. */
function own(pool: FramePool): void {
  restamp(pool);
  // the clone sharing them reads them only once the journal has put them back.
  if (!pool.shared || pool.journal?.writesShared) return;
  pool.owner = new Map(pool.owner);
  pool.free = pool.free.slice();
  pool.shared = false;
}

/** Gives frame `pfn` an owner (it has none), keeping the owner map's running hash. */
function setOwner(pool: FramePool, pfn: number, owner: FrameOwner): void {
  pool.owner.set(pfn, owner);
  pool.ownerA = (pool.ownerA + ownerShareA(pfn, owner)) | 0;
  pool.ownerB = (pool.ownerB + ownerShareB(pfn, owner)) | 0;
}

/** Takes frame `pfn`'s owner away, keeping the owner map's running hash. */
function dropOwner(pool: FramePool, pfn: number): void {
  const owner = pool.owner.get(pfn);
  if (owner === undefined) return;
  pool.owner.delete(pfn);
  pool.ownerA = (pool.ownerA - ownerShareA(pfn, owner)) | 0;
  pool.ownerB = (pool.ownerB - ownerShareB(pfn, owner)) | 0;
}

/** Allocates a zeroed frame for `owner` and returns its pfn. */
export function allocFrame(pool: FramePool, owner: FrameOwner): number {
  own(pool);
  const fromFree = pool.free.length > 0;
  const pfn = fromFree ? pool.free.pop()! : pool.next++;
  pool.journal?.allocated(pfn, fromFree);
  setOwner(pool, pfn, owner);
  return pfn;
}

/** Allocates `count` contiguous frames aligned to `align` frames (16 KiB s390 tables); returns the first pfn. */
export function allocContiguous(pool: FramePool, count: number, align: number, owner: FrameOwner): number {
  own(pool);
  pool.journal?.reshaping(pool);
  const first = Math.ceil(pool.next / align) * align;
  for (let p = pool.next; p < first; p++) insertFree(pool, p);
  for (let i = 0; i < count; i++) {
    pool.journal?.allocated(first + i, false);
    setOwner(pool, first + i, owner);
  }
  pool.next = first + count;
  return first;
}

/** Claims a specific free frame below HOST_FRAMES (migration target); false when it is in use. */
export function claimFrame(pool: FramePool, pfn: number, owner: FrameOwner): boolean {
  if (pool.owner.has(pfn)) return false;
  own(pool);
  if (pfn >= pool.next) {
    pool.journal?.reshaping(pool);
    // the free list is kept in descending order and every frame skipped lies above it.
    const skipped: number[] = [];
    for (let p = pfn - 1; p >= pool.next; p--) skipped.push(p);
    pool.free = skipped.concat(pool.free);
    pool.next = pfn + 1;
    pool.journal?.allocated(pfn, false);
  } else {
    const i = pool.free.indexOf(pfn);
    if (i >= 0) {
      pool.journal?.claimed(pfn, i);
      pool.free.splice(i, 1);
    } else pool.journal?.allocated(pfn, false);
  }
  setOwner(pool, pfn, owner);
  return true;
}

/** Frees a frame and zeroes it. */
export function freeFrame(pool: FramePool, pfn: number): void {
  own(pool);
  pool.journal?.freeing(pfn, pool.owner.get(pfn)!);
  dropOwner(pool, pfn);
  dropPage(pool, pfn);
  insertFree(pool, pfn);
}

/** Forgets a frame's bytes (it reads as zeros again). */
function dropPage(pool: FramePool, pfn: number): void {
  pool.journal?.touch(pfn);
  pool.journal?.layer(pfn, pool.pages.get(pfn));
  if (pool.base.has(pfn)) pool.pages.set(pfn, null);
  else pool.pages.delete(pfn);
}

/** Removes a frame from a free list (sorted descending). */
export function removeFree(free: number[], pfn: number): void {
  const i = freeIndex(free, pfn);
  if (free[i] === pfn) free.splice(i, 1);
}

/** Where `pfn` is, or would go, in a free list sorted descending. */
function freeIndex(f: readonly number[], pfn: number): number {
  let lo = 0;
  let hi = f.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (f[mid] > pfn) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertFree(pool: FramePool, pfn: number): void {
  pool.free.splice(freeIndex(pool.free, pfn), 0, pfn);
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
  const reads = pool.reads;
  if (reads !== undefined) reads.add(pfn);
  const own = pool.pages.get(pfn);
  return own === undefined ? pool.base.get(pfn) : (own ?? undefined);
}

/** The frame's bytes for reading; never-written frames share one zero buffer (do not write it). */
export function frameForRead(pool: FramePool, pfn: number): Uint8Array {
  return frameBuf(pool, pfn)?.data ?? ZERO_PAGE;
}

/**
 * The frame's bytes for writing, copying a shared buffer first. The caller writes only the
 * `len` bytes at `off` (the whole page unless it says otherwise): hashing relies on it.
 */
export function frameForWrite(pool: FramePool, pfn: number, off = 0, len = PAGE_SIZE): Uint8Array {
  let buf = frameBuf(pool, pfn);
  pool.journal?.touch(pfn);
  if (buf === undefined) {
    pool.journal?.layer(pfn, pool.pages.get(pfn));
    const data = newPage();
    pool.pages.set(pfn, pageBuf(pool.gen, writeSeq++, data, undefined, 0, 0, -1, 0, 0));
    return data;
  }
  if (buf.gen !== pool.gen) {
    if (buf.from !== undefined) buf.from.from = undefined;
    // the pool's own copy, equal to its source until written: a journal undoes the write, not the copy.
    const copy = pageBuf(pool.gen, writeSeq++, copyPage(buf.data), buf, off, off, -1, 0, 0);
    // equal bytes, equal hash: known from the start, so a journal that undoes a write knows it too.
    if (buf.hashSeq === buf.seq) {
      copy.hashSeq = copy.seq;
      copy.hashA = buf.hashA;
      copy.hashB = buf.hashB;
    }
    pool.pages.set(pfn, copy);
    buf = copy;
  }
  pool.journal?.bytes(buf, off, len);
  buf.seq = writeSeq++;
  if (off < buf.lo) buf.lo = off;
  if (off + len > buf.hi) buf.hi = off + len;
  return buf.data;
}

/** Copies one frame's bytes to another (migration). */
export function copyFrame(pool: FramePool, from: number, to: number): void {
  const src = frameBuf(pool, from);
  if (src === undefined) return dropPage(pool, to);
  pool.journal?.touch(to);
  pool.journal?.layer(to, pool.pages.get(to));
  pool.pages.set(to, src.gen === pool.gen
      ? pageBuf(pool.gen, writeSeq++, copyPage(src.data), undefined, 0, 0, -1, 0, 0)
      : pageBuf(src.gen, src.seq, src.data, undefined, 0, 0, src.hashSeq, src.hashA, src.hashB));
}
