/**
 * The undo journal of a frame pool: while a choice is applied to a world in place, every byte
 * range written, every page that appears or goes, and the pool's bookkeeping are recorded so the
 * pool can be put back exactly as it was (bytes, buffers, write sequences and cached hashes).
 *
 * Why: the checker expands a state by applying each choice to the one world and undoing it,
 * instead of copying the world (and the pages a choice writes) for every successor.
 */
import { frameBuf, removeFree, type FrameJournal, type FrameOwner, type FramePool, type PageBuf } from './frames.js';

/**
 * One recorded change: bytes of a buffer written in place ('bytes': where the old bytes are kept
 * and the buffer's fields before), a page-layer entry replaced ('layer'), or, in a journal that
 * keeps its changes, a frame allocated or freed with the owners and free list written in place.
 * Slots are reused from move to move (one kind's fields are stale in another's): a checker move
 * records a write or two, and an object per record was most of what a move allocated.
 */
class Entry {
  kind: 'bytes' | 'layer' | 'alloc' | 'free' = 'bytes';
  buf: PageBuf | undefined = undefined;
  off = 0;
  len = 0;
  at = 0;
  seq = 0;
  lo = 0;
  hi = 0;
  hashSeq = 0;
  hashA = 0;
  hashB = 0;
  pfn = 0;
  prev: PageBuf | null | undefined = undefined;
  fromFree = false;
  owner: FrameOwner = '';
}

export class FrameUndo implements FrameJournal {
  /** Slots of recorded changes; the first `n` are this move's. */
  private readonly entries: Entry[] = [];
  private n = 0;
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
  private stamp = 0;
  /** Frames changed, in order of their first change, with their content hash before it (check/fingerprint.ts); the first `nTouched`. */
  private readonly touchedPfns: number[] = [];
  private readonly touchedHashes: number[] = [];
  private nTouched = 0;
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
    this.clear();
    this.nTouched = 0;
    this.hashesKnown = true;
    this.owner = pool.owner;
    this.free = pool.free;
    this.next = pool.next;
    this.stamp = pool.stamp;
    if (!this.logging) pool.shared = true;
    pool.journal = this;
  }

  allocated(pfn: number, fromFree: boolean): void {
    if (!this.logging) return;
    this.booked = true;
    const e = this.slot('alloc');
    e.pfn = pfn;
    e.fromFree = fromFree;
  }

  freeing(pfn: number, owner: FrameOwner): void {
    if (!this.logging) return;
    this.booked = true;
    const e = this.slot('free');
    e.pfn = pfn;
    e.owner = owner;
  }

  reshaping(pool: FramePool): void {
    if (!this.logging) return;
    // from here on the owners and free list are copied before they change; undo takes the originals back.
    this.logging = false;
    pool.shared = true;
  }

  touch(pfn: number): void {
    const t = this.touchedPfns;
    const n = this.nTouched;
    for (let i = 0; i < n; i++) if (t[i] === pfn) return;
    const buf = frameBuf(this.pool!, pfn);
    let a = 0;
    let b = 0;
    if (buf !== undefined) {
      if (buf.hashSeq !== buf.seq) this.hashesKnown = false;
      a = buf.hashA;
      b = buf.hashB;
    }
    // slots past the count are last move's: written over, not pushed (an array cut to zero gives its store up).
    if (n === t.length) {
      t.push(pfn);
      this.touchedHashes.push(a, b);
    } else {
      t[n] = pfn;
      this.touchedHashes[2 * n] = a;
      this.touchedHashes[2 * n + 1] = b;
    }
    this.nTouched = n + 1;
  }

  /** How many frames changed since `begin`. */
  touchedCount(): number {
    return this.nTouched;
  }

  /** The `i`th frame changed since `begin`, in order of first change. */
  touchedFrame(i: number): number {
    return this.touchedPfns[i];
  }

  /** Whether the hash before the change of every touched frame is known (touchedHash). */
  touchedHashesKnown(): boolean {
    return this.hashesKnown;
  }

  /** Lane `lane` (0 or 1) of the content hash touched frame `i` (touchedFrame's order) had before its change. */
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
    const e = this.slot('bytes');
    e.buf = buf;
    e.off = off;
    e.len = len;
    e.at = this.used;
    e.seq = buf.seq;
    e.lo = buf.lo;
    e.hi = buf.hi;
    e.hashSeq = buf.hashSeq;
    e.hashA = buf.hashA;
    e.hashB = buf.hashB;
    this.used += len;
  }

  layer(pfn: number, prev: PageBuf | null | undefined): void {
    const e = this.slot('layer');
    e.pfn = pfn;
    e.prev = prev;
  }

  /** The next slot, of `kind`. */
  private slot(kind: Entry['kind']): Entry {
    if (this.n === this.entries.length) this.entries.push(new Entry());
    const e = this.entries[this.n++];
    e.kind = kind;
    return e;
  }

  /** Forgets this move's records, dropping what their slots hold (buffers a later move should not keep alive). */
  private clear(): void {
    for (let k = 0; k < this.n; k++) {
      const e = this.entries[k];
      e.buf = undefined;
      e.prev = undefined;
    }
    this.n = 0;
    this.used = 0;
  }

  /** Whether frames were allocated, claimed or freed since `begin` (owners, the free list or the bump pointer changed). */
  bookkeepingChanged(): boolean {
    const pool = this.pool!;
    return this.booked || pool.owner !== this.owner || pool.free !== this.free || pool.next !== this.next;
  }

  /** Whether anything was recorded since `begin`: a frame changed, or the pool's bookkeeping. */
  changedAny(): boolean {
    return this.n > 0 || this.bookkeepingChanged();
  }

  /** Whether the pool still holds what it held at `begin` (false when telling would cost more than a hash). */
  unchanged(): boolean {
    if (this.bookkeepingChanged()) return false;
    for (let k = 0; k < this.n; k++) {
      const e = this.entries[k];
      if (e.kind !== 'bytes') return false;
      const now = e.buf!.data;
      for (let i = 0; i < e.len; i++) if (now[e.off + i] !== this.store[e.at + i]) return false;
    }
    return true;
  }

  /** Keeps the pool as it is now and stops recording (replay: an event's changes stand). */
  commit(): void {
    this.pool!.journal = undefined;
    this.pool = undefined;
    this.clear();
  }

  /** Puts the pool back as it was at `begin`, newest change first, and stops recording. */
  undo(): void {
    const pool = this.pool!;
    for (let k = this.n - 1; k >= 0; k--) {
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
      const b = e.buf!;
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
    // the owners and free list are what they were at that stamp.
    pool.stamp = this.stamp;
    pool.shared = this.wasShared || !this.logging || pool.shared;
    pool.journal = undefined;
    this.pool = undefined;
    this.clear();
  }
}
