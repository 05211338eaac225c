/**
 * The undo journal of a frame pool: while a choice is applied to a world in place, every byte
 * range written, every page that appears or goes, and the pool's bookkeeping are recorded so the
 * pool can be put back exactly as it was (bytes, buffers, write sequences and cached hashes).
 *
 * Why: the checker expands a state by applying each choice to the one world and undoing it,
 * instead of copying the world (and the pages a choice writes) for every successor.
 */
import { copyBytes } from './bits.js';
import { frameBuf, removeFree, type FrameJournal, type FrameOwner, type FramePool, type PageBuf } from './frames.js';

/**
 * One recorded change: bytes of a buffer written in place ('bytes': where the old bytes are kept
 * and the buffer's fields before), a page-layer entry replaced ('layer'), or a change to the
 * owners and free list, written in place: a frame allocated ('alloc', from the free list's end or
 * the bump pointer), freed ('free'), claimed from the middle of the free list ('claim', at `at`),
 * or the free list and bump pointer reshaped ('reshape': the list as it was, in `freeBefore`).
 * Slots are reused from move to move (one kind's fields are stale in another's): a checker move
 * records a write or two, and an object per record was most of what a move allocated.
 */
class Entry {
  kind: 'bytes' | 'layer' | 'alloc' | 'free' | 'claim' | 'reshape' = 'bytes';
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
  freeBefore: number[] | undefined = undefined;
  /** The free list a reshape started from (maybe shared with a clone): put back in it, in place. */
  freeList: number[] | undefined = undefined;
}

export class FrameUndo implements FrameJournal {
  /** `writesShared` (memory/frames.ts): true for a journal whose every move is undone. */
  constructor(readonly writesShared = false) {}

  /** Slots of recorded changes; the first `n` are this move's. */
  private readonly entries: Entry[] = [];
  private n = 0;
  /** Whether the owners or free list changed (a frame allocated, claimed or freed). */
  private booked = false;
  /** Old bytes of every write, back to back (reused across journals: no allocation per write). */
  private store = new Uint8Array(1 << 16);
  private used = 0;
  private pool: FramePool | undefined;
  private next = 0;
  private stamp = 0;
  /** The owner map's running hash at `begin` (undo puts the entries back one by one, and the sums whole). */
  private ownerA = 0;
  private ownerB = 0;
  /** Frames changed, in order of their first change, with their content hash before it (check/page-hash.ts); the first `nTouched`. */
  private readonly touchedPfns: number[] = [];
  private readonly touchedHashes: number[] = [];
  private nTouched = 0;
  /** Whether every touched frame's hash before the change was known (a buffer hashed at its current write). */
  private hashesKnown = true;

  /**
   * Starts recording `pool`'s changes. Allocations and frees are recorded one by one and undone
   * in place. Owners and a free list shared with a clone are written where they are when this
   * journal undoes every move (`writesShared`); otherwise the pool copies them first
   * (memory/frames.ts) and keeps its copies after an undo (they hold what the originals hold), so
   * the next choice of the same state writes them without another copy.
   */
  begin(pool: FramePool): void {
    if (pool.journal) throw new Error('a frame pool is already journalled');
    this.pool = pool;
    this.booked = false;
    this.clear();
    this.nTouched = 0;
    this.hashesKnown = true;
    this.next = pool.next;
    this.stamp = pool.stamp;
    this.ownerA = pool.ownerA;
    this.ownerB = pool.ownerB;
    pool.journal = this;
  }

  allocated(pfn: number, fromFree: boolean): void {
    this.booking('alloc', pfn).fromFree = fromFree;
  }

  freeing(pfn: number, owner: FrameOwner): void {
    this.booking('free', pfn).owner = owner;
  }

  claimed(pfn: number, at: number): void {
    this.booking('claim', pfn).at = at;
  }

  /** The slot of a change of frame `pfn`'s owner. */
  private booking(kind: 'alloc' | 'free' | 'claim', pfn: number): Entry {
    this.booked = true;
    const e = this.slot(kind);
    e.pfn = pfn;
    return e;
  }

  reshaping(pool: FramePool): void {
    this.booked = true;
    const e = this.slot('reshape');
    e.freeBefore = pool.free.slice();
    e.freeList = pool.free;
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
    copyBytes(this.store, this.used, buf.data, off, len);
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
      e.freeBefore = undefined;
      e.freeList = undefined;
    }
    this.n = 0;
    this.used = 0;
  }

  /** Whether frames were allocated, claimed or freed since `begin` (owners, the free list or the bump pointer changed). */
  bookkeepingChanged(): boolean {
    return this.booked || this.pool!.next !== this.next;
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

  /** Stops hearing of the pool's changes for a while, its own still to undo: a journal on top records theirs. */
  hold(): void {
    if (this.pool!.journal !== this) throw new Error('only the pool\'s own journal can be held');
    this.pool!.journal = undefined;
  }

  /** Hears of the pool's changes again, the journal on top of it done. */
  resume(): void {
    if (this.pool!.journal !== undefined) throw new Error('a held frame journal resumes only once the one on top is done');
    this.pool!.journal = this;
  }

  /** Keeps the pool as it is now and stops recording (replay: an event's changes stand). */
  commit(): void {
    if (this.writesShared) throw new Error('a journal that writes shared bookkeeping must undo');
    this.pool!.journal = undefined;
    this.pool = undefined;
    this.clear();
  }

  /** Puts the pool back as it was at `begin`, newest change first, and stops recording. */
  undo(): void {
    const pool = this.pool!;
    for (let k = this.n - 1; k >= 0; k--) {
      const e = this.entries[k];
      switch (e.kind) {
        case 'layer':
          if (e.prev === undefined) pool.pages.delete(e.pfn);
          else pool.pages.set(e.pfn, e.prev);
          continue;
        // the owner map's order is not state (hashes and digests sum or sort it): a freed frame
        // put back goes to its end.
        case 'alloc':
          pool.owner.delete(e.pfn);
          if (e.fromFree) pool.free.push(e.pfn);
          continue;
        case 'claim':
          pool.owner.delete(e.pfn);
          pool.free.splice(e.at, 0, e.pfn);
          continue;
        case 'free':
          removeFree(pool.free, e.pfn);
          pool.owner.set(e.pfn, e.owner);
          continue;
        case 'reshape': {
          // the list itself, not a copy: a clone may share it (writesShared) and reshaping may have written it in place.
          const list = e.freeList!;
          list.length = 0;
          for (const pfn of e.freeBefore!) list.push(pfn);
          pool.free = list;
          continue;
        }
      }
      const b = e.buf!;
      copyBytes(b.data, e.off, this.store, e.at, e.len);
      b.seq = e.seq;
      b.lo = e.lo;
      b.hi = e.hi;
      b.hashSeq = e.hashSeq;
      b.hashA = e.hashA;
      b.hashB = e.hashB;
    }
    pool.next = this.next;
    pool.ownerA = this.ownerA;
    pool.ownerB = this.ownerB;
    // the owners and free list hold what they held at that stamp.
    pool.stamp = this.stamp;
    pool.journal = undefined;
    this.pool = undefined;
    this.clear();
  }
}
