/**
 * The visited set: 64-bit fingerprints in an open-addressing table (hi and lo halves side by
 * side; an all-zero slot is empty), plus what rebuilds a state's path, kept compact:
 * - the table is any size, not a power of two (a slot's home is the hash scaled to the size), so
 *   it grows by a quarter at four-fifths load: 10 to 12.5 bytes per state;
 * - parents are added in breadth-first order, so each differs from the one before by a small
 *   step: one byte per state, with the exact parent every 64 states to start the sum from;
 * - choices take one byte while every move index fits, two once one does not;
 * - depths never decrease, so each level's first state is all that is kept.
 * The link arrays grow by an eighth: at most 15.9 bytes per state once the table is past its
 * initial size. States themselves are not kept: they are rebuilt by replaying their path.
 */
export class StateTable {
  /** Slot i holds hi at 2i and lo at 2i + 1. */
  private keys: Uint32Array;
  private cap: number;
  /** parent(id) - parent(id - 1) when 0..254; FAR when the parent is kept in `far`. */
  private step: Uint8Array;
  /** The parent of state 64k, exactly. */
  private block: Int32Array;
  private far = new Map<number, number>();
  private lastParent = -1;
  private choice: Uint8Array | Uint16Array;
  /** Move indices too large for `choice` (an interleaving of a long op), by state; `choice` holds WIDE there. */
  private wide = new Map<number, number>();
  /** levels[d]: the first state at depth d. */
  private levels: number[] = [];
  /** Number of states stored. */
  size = 0;

  constructor(capacity = 1 << 12) {
    this.cap = Math.max(4, capacity);
    this.keys = new Uint32Array(2 * this.cap);
    const links = Math.max(16, this.cap >> 1);
    this.step = new Uint8Array(links);
    this.choice = new Uint8Array(links);
    this.block = new Int32Array((links >> BLOCK_SHIFT) + 1);
  }

  /** Bytes held per stored state (fingerprint table, parent steps and blocks, choices, levels, and the maps of exceptions). */
  bytesPerState(): number {
    if (this.size === 0) return 0;
    const maps = (this.far.size + this.wide.size) * MAP_ENTRY_BYTES;
    return (this.keys.byteLength + this.step.byteLength + this.block.byteLength + this.choice.byteLength + this.levels.length * 8 + maps) / this.size;
  }

  /** The slot holding (h, l), or the empty slot where it would go. */
  private find(h: number, l: number): number {
    const keys = this.keys;
    const cap = this.cap;
    let i = Math.floor(((Math.imul(l ^ (h >>> 7), 0x9e3779b1) >>> 0) * cap) / 4294967296);
    for (;;) {
      const kh = keys[2 * i];
      const kl = keys[2 * i + 1];
      if ((kh === 0 && kl === 0) || (kh === h && kl === l)) return i;
      if (++i === cap) i = 0;
    }
  }

  /** Whether a fingerprint is present. */
  has(fp: [number, number]): boolean {
    const h = fp[0] >>> 0;
    const l = h === 0 && fp[1] >>> 0 === 0 ? 1 : fp[1] >>> 0;
    const i = this.find(h, l);
    return this.keys[2 * i] !== 0 || this.keys[2 * i + 1] !== 0;
  }

  /**
   * Adds a state; returns its index, or -1 when its fingerprint is already present. States come
   * in breadth-first order: a depth below the last one added is refused.
   */
  add(fp: [number, number], parent: number, choice: number, depth: number): number {
    const top = this.levels.length - 1;
    if (depth < top) throw new Error(`states must be added in breadth-first order: depth ${depth} after ${top}`);
    if ((this.size + 1) * 5 > this.cap * 4) this.growTable();
    // the all-zero fingerprint marks empty slots, so it is stored as (0, 1).
    const h = fp[0] >>> 0;
    const l = h === 0 && fp[1] >>> 0 === 0 ? 1 : fp[1] >>> 0;
    const i = this.find(h, l);
    if (this.keys[2 * i] !== 0 || this.keys[2 * i + 1] !== 0) return -1;
    if (this.size + 1 > this.step.length) this.growLinks(this.size + 1);
    const id = this.size++;
    this.keys[2 * i] = h;
    this.keys[2 * i + 1] = l;
    this.setParent(id, parent);
    this.setChoice(id, choice);
    while (this.levels.length <= depth) this.levels.push(id);
    return id;
  }

  private setParent(id: number, parent: number): void {
    if ((id & BLOCK_MASK) === 0) this.block[id >> BLOCK_SHIFT] = parent;
    else {
      const d = parent - this.lastParent;
      if (d >= 0 && d < FAR) this.step[id] = d;
      else {
        this.step[id] = FAR;
        this.far.set(id, parent);
      }
    }
    this.lastParent = parent;
  }

  private setChoice(id: number, choice: number): void {
    if (choice >= 0xff && this.choice instanceof Uint8Array) {
      const wider = new Uint16Array(this.choice.length);
      wider.set(this.choice);
      this.choice = wider;
    }
    if (choice < WIDE) this.choice[id] = choice;
    else {
      this.choice[id] = WIDE;
      this.wide.set(id, choice);
    }
  }

  /** The state that state `id` was reached from (-1 for the root). */
  parentOf(id: number): number {
    const b = id >> BLOCK_SHIFT;
    let p = this.block[b];
    for (let i = (b << BLOCK_SHIFT) + 1; i <= id; i++) {
      const d = this.step[i];
      p = d === FAR ? this.far.get(i)! : p + d;
    }
    return p;
  }

  /** The move (choice index) that led to state `id`. */
  choiceOf(id: number): number {
    const c = this.choice[id];
    return c === WIDE ? this.wide.get(id)! : c;
  }

  /** The depth of state `id`. */
  depthOf(id: number): number {
    const lv = this.levels;
    let lo = 0;
    let hi = lv.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lv[mid] <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private growTable(): void {
    const old = this.keys;
    this.cap = Math.ceil(this.cap * 1.25);
    this.keys = new Uint32Array(2 * this.cap);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === 0 && old[i + 1] === 0) continue;
      const j = this.find(old[i], old[i + 1]);
      this.keys[2 * j] = old[i];
      this.keys[2 * j + 1] = old[i + 1];
    }
  }

  private growLinks(need: number): void {
    const n = Math.max(need, 16, Math.ceil(this.step.length * 1.125));
    const grow = <T extends Uint8Array | Uint16Array | Int32Array>(a: T, b: T) => {
      b.set(a);
      return b;
    };
    this.step = grow(this.step, new Uint8Array(n));
    this.choice = this.choice instanceof Uint8Array ? grow(this.choice, new Uint8Array(n)) : grow(this.choice, new Uint16Array(n));
    this.block = grow(this.block, new Int32Array((n >> BLOCK_SHIFT) + 1));
  }

  /**
   * The table as plain data for a checkpoint, in the layout every checkpoint has used: the
   * fingerprints in power-of-two key arrays, and parent, choice and depth per state (typed arrays
   * as base64).
   */
  toJSON(): StateTableData {
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    let slots = 4;
    while (slots <= this.size) slots *= 2;
    const hi = new Uint32Array(slots);
    const lo = new Uint32Array(slots);
    let k = 0;
    for (let i = 0; i < this.cap; i++) {
      if (this.keys[2 * i] === 0 && this.keys[2 * i + 1] === 0) continue;
      hi[k] = this.keys[2 * i];
      lo[k++] = this.keys[2 * i + 1];
    }
    const parent = new Int32Array(this.size);
    const choice = new Uint16Array(this.size);
    const depth = new Uint16Array(this.size);
    for (let id = 0; id < this.size; id++) {
      parent[id] = this.parentOf(id);
      choice[id] = this.choice[id];
      depth[id] = this.depthOf(id);
    }
    return { size: this.size, hi: b64(hi), lo: b64(lo), parent: b64(parent), choice: b64(choice), depth: b64(depth), wide: [...this.wide] };
  }

  /** Restores a table saved with toJSON (checked by checkpoint-file.ts first). */
  static fromJSON(d: StateTableData): StateTable {
    const bytes = (s: string) => {
      const b = Buffer.from(s, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    };
    const hi = new Uint32Array(bytes(d.hi));
    const lo = new Uint32Array(bytes(d.lo));
    const parent = new Int32Array(bytes(d.parent));
    const choice = new Uint16Array(bytes(d.choice));
    const depth = new Uint16Array(bytes(d.depth));
    const wide = new Map(d.wide ?? []);
    const t = new StateTable(Math.ceil((d.size * 5) / 4) + 4);
    // links first, in id order; then the fingerprints, whose slots say nothing of which state is which.
    for (let id = 0; id < d.size; id++) {
      if (t.size + 1 > t.step.length) t.growLinks(t.size + 1);
      t.size++;
      t.setParent(id, parent[id]);
      t.setChoice(id, choice[id] === WIDE ? wide.get(id)! : choice[id]);
      while (t.levels.length <= depth[id]) t.levels.push(id);
    }
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] === 0 && lo[i] === 0) continue;
      const j = t.find(hi[i], lo[i]);
      t.keys[2 * j] = hi[i];
      t.keys[2 * j + 1] = lo[i];
    }
    return t;
  }

  /** Choice indices from the root to state `id`. */
  path(id: number): number[] {
    const out: number[] = [];
    for (let s = id; s > 0; s = this.parentOf(s)) out.push(this.choiceOf(s));
    return out.reverse();
  }
}

export interface StateTableData {
  readonly size: number;
  readonly hi: string;
  readonly lo: string;
  readonly parent: string;
  readonly choice: string;
  readonly depth: string;
  readonly wide?: [number, number][];
}

/** The largest move index a two-byte `choice` holds itself; larger ones are kept aside. */
const WIDE = 0xffff;
/** A parent step that does not fit a byte: the parent is kept aside. */
const FAR = 0xff;
const BLOCK_SHIFT = 6;
const BLOCK_MASK = (1 << BLOCK_SHIFT) - 1;
/** What an entry of a JavaScript Map costs, counted against the table (a generous estimate). */
const MAP_ENTRY_BYTES = 32;

/** Birthday-bound estimate of the probability that two distinct states shared a 64-bit fingerprint. */
export function collisionProbability(states: number): number {
  return -Math.expm1(-(states * (states - 1)) / 2 / 2 ** 64);
}
