/**
 * The undo journal of a frame pool: while a choice is applied to a world in place, every byte
 * range written, every page that appears or goes, and the pool's bookkeeping are recorded so the
 * pool can be put back exactly as it was (bytes, buffers, write sequences and cached hashes).
 *
 * Why: the checker expands a state by applying each choice to the one world and undoing it,
 * instead of copying the world (and the pages a choice writes) for every successor.
 */
import { frameBuf, removeFree, type FrameJournal, type FrameOwner, type FramePool, type PageBuf } from './frames.js';

/** One recorded change: bytes of a buffer written in place, or a page-layer entry replaced. */
interface BytesEntry {
  readonly kind: 'bytes';
  readonly buf: PageBuf;
  readonly off: number;
  readonly len: number;
  /** Where the old bytes are kept in the journal's store. */
  readonly at: number;
  readonly seq: number;
  readonly lo: number;
  readonly hi: number;
  readonly hashSeq: number;
  readonly hashA: number;
  readonly hashB: number;
}

interface LayerEntry {
  readonly kind: 'layer';
  readonly pfn: number;
  readonly prev: PageBuf | null | undefined;
}

/** A frame allocated or freed with the owners and free list written in place (a journal that keeps its changes). */
interface AllocEntry {
  readonly kind: 'alloc';
  readonly pfn: number;
  readonly fromFree: boolean;
}

interface FreeEntry {
  readonly kind: 'free';
  readonly pfn: number;
  readonly owner: FrameOwner;
}

export class FrameUndo implements FrameJournal {
  private readonly entries: (BytesEntry | LayerEntry | AllocEntry | FreeEntry)[] = [];
  /**
   * Whether allocations and frees are recorded one by one (owners and free list written in place)
   * rather than the pool marked shared so they are copied before they change: a journal whose
   * changes are usually kept (replay) should not copy a large owner map at every allocation.
   */
  private logging = false;
  private wasShared = false;
  /** Whether a frame was allocated or freed with logging on. */
  private booked = false;
  /** Old bytes of every write, back to back (reused across journals: no allocation per write). */
  private store = new Uint8Array(1 << 16);
  private used = 0;
  private pool: FramePool | undefined;
  private owner!: FramePool['owner'];
  private free!: number[];
  private next = 0;
  /** Frames changed, in order of their first change, with their content hash before it (check/fingerprint.ts). */
  private readonly touchedPfns: number[] = [];
  private readonly touchedHashes: number[] = [];
  /** Whether every touched frame's hash before the change was known (a buffer hashed at its current write). */
  private hashesKnown = true;

  /**
   * Starts recording `pool`'s changes. The pool is marked shared, so its owner map and free list
   * are copied before they change; with `keep` (the changes are usually committed) allocations and
   * frees are recorded instead, unless the pool is shared already.
   */
  begin(pool: FramePool, keep = false): void {
    if (pool.journal) throw new Error('a frame pool is already journalled');
    this.pool = pool;
    this.wasShared = pool.shared;
    this.logging = keep && !pool.shared;
    this.booked = false;
    // setting a length is not free: only when there is something to clear.
    if (this.entries.length > 0) this.entries.length = 0;
    this.used = 0;
    if (this.touchedPfns.length > 0) {
      this.touchedPfns.length = 0;
      this.touchedHashes.length = 0;
    }
    this.hashesKnown = true;
    this.owner = pool.owner;
    this.free = pool.free;
    this.next = pool.next;
    if (!this.logging) pool.shared = true;
    pool.journal = this;
  }

  allocated(pfn: number, fromFree: boolean): void {
    if (!this.logging) return;
    this.booked = true;
    this.entries.push({ kind: 'alloc', pfn, fromFree });
  }

  freeing(pfn: number, owner: FrameOwner): void {
    if (!this.logging) return;
    this.booked = true;
    this.entries.push({ kind: 'free', pfn, owner });
  }

  reshaping(pool: FramePool): void {
    if (!this.logging) return;
    // from here on the owners and free list are copied before they change; undo takes the originals back.
    this.logging = false;
    pool.shared = true;
  }

  touch(pfn: number): void {
    const t = this.touchedPfns;
    for (let i = 0; i < t.length; i++) if (t[i] === pfn) return;
    const buf = frameBuf(this.pool!, pfn);
    t.push(pfn);
    if (buf === undefined) this.touchedHashes.push(0, 0);
    else {
      if (buf.hashSeq !== buf.seq) this.hashesKnown = false;
      this.touchedHashes.push(buf.hashA, buf.hashB);
    }
  }

  /** Whether the hash before the change of every touched frame is known (touchedHash). */
  touchedHashesKnown(): boolean {
    return this.hashesKnown;
  }

  /** Lane `lane` (0 or 1) of the content hash touched frame `i` (in touchedFrames order) had before its change. */
  touchedHash(i: number, lane: 0 | 1): number {
    return this.touchedHashes[2 * i + lane];
  }

  bytes(buf: PageBuf, off: number, len: number): void {
    if (this.used + len > this.store.length) {
      const grown = new Uint8Array(Math.max(this.store.length * 2, this.used + len));
      grown.set(this.store.subarray(0, this.used));
      this.store = grown;
    }
    // a table entry or a guest's word is a few bytes: copied by hand, no view is made for them.
    if (len <= 16) for (let i = 0; i < len; i++) this.store[this.used + i] = buf.data[off + i];
    else this.store.set(buf.data.subarray(off, off + len), this.used);
    this.entries.push({ kind: 'bytes', buf, off, len, at: this.used, seq: buf.seq, lo: buf.lo, hi: buf.hi, hashSeq: buf.hashSeq, hashA: buf.hashA, hashB: buf.hashB });
    this.used += len;
  }

  layer(pfn: number, prev: PageBuf | null | undefined): void {
    this.entries.push({ kind: 'layer', pfn, prev });
  }

  /** The frames changed since `begin`, in order of their first change. */
  touchedFrames(): readonly number[] {
    return this.touchedPfns;
  }

  /** Whether frames were allocated, claimed or freed since `begin` (owners, the free list or the bump pointer changed). */
  bookkeepingChanged(): boolean {
    const pool = this.pool!;
    return this.booked || pool.owner !== this.owner || pool.free !== this.free || pool.next !== this.next;
  }

  /** Whether anything was recorded since `begin`: a frame changed, or the pool's bookkeeping. */
  changedAny(): boolean {
    return this.entries.length > 0 || this.bookkeepingChanged();
  }

  /** Whether the pool still holds what it held at `begin` (false when telling would cost more than a hash). */
  unchanged(): boolean {
    if (this.bookkeepingChanged()) return false;
    for (const e of this.entries) {
      if (e.kind !== 'bytes') return false;
      const now = e.buf.data;
      for (let i = 0; i < e.len; i++) if (now[e.off + i] !== this.store[e.at + i]) return false;
    }
    return true;
  }

  /** Keeps the pool as it is now and stops recording (replay: an event's changes stand). */
  commit(): void {
    this.pool!.journal = undefined;
    this.pool = undefined;
    this.entries.length = 0;
    this.used = 0;
  }

  /** Puts the pool back as it was at `begin`, newest change first, and stops recording. */
  undo(): void {
    const pool = this.pool!;
    for (let k = this.entries.length - 1; k >= 0; k--) {
      const e = this.entries[k];
      if (e.kind === 'layer') {
        if (e.prev === undefined) pool.pages.delete(e.pfn);
        else pool.pages.set(e.pfn, e.prev);
        continue;
      }
      // recorded allocations and frees changed the original owners and free list, whatever came after.
      if (e.kind === 'alloc') {
        this.owner.delete(e.pfn);
        if (e.fromFree) this.free.push(e.pfn);
        continue;
      }
      if (e.kind === 'free') {
        removeFree(this.free, e.pfn);
        this.owner.set(e.pfn, e.owner);
        continue;
      }
      const b = e.buf;
      if (e.len <= 16) for (let i = 0; i < e.len; i++) b.data[e.off + i] = this.store[e.at + i];
      else b.data.set(this.store.subarray(e.at, e.at + e.len), e.off);
      b.seq = e.seq;
      b.lo = e.lo;
      b.hi = e.hi;
      b.hashSeq = e.hashSeq;
      b.hashA = e.hashA;
      b.hashB = e.hashB;
    }
    pool.owner = this.owner;
    pool.free = this.free;
    pool.next = this.next;
    pool.shared = this.wasShared || !this.logging || pool.shared;
    pool.journal = undefined;
    this.pool = undefined;
    if (this.entries.length > 0) this.entries.length = 0;
    this.used = 0;
  }
}
