/**
 * The visited set: 64-bit fingerprints in an open-addressing table of two Uint32Array lanes (an
 * all-zero slot is empty), plus per-state parent index, choice index and depth in typed arrays.
 * The table grows at three-quarters load (10.7 to 21.3 bytes per state) and the link arrays by a
 * quarter when full (8 to 10 bytes), so a state costs 19 to 31.3 bytes whenever it is measured.
 * States themselves are not kept: they are rebuilt by replaying their path.
 */
export class StateTable {
  private hi: Uint32Array;
  private lo: Uint32Array;
  parent: Int32Array;
  choice: Uint16Array;
  depth: Uint16Array;
  /** Number of states stored. */
  size = 0;
  /** Move indices too large for `choice` (an interleaving of a long op), by state; `choice` holds WIDE there. */
  private wide = new Map<number, number>();

  constructor(capacity = 1 << 12) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.parent = new Int32Array(capacity >> 1);
    this.choice = new Uint16Array(capacity >> 1);
    this.depth = new Uint16Array(capacity >> 1);
  }

  /** Bytes held per stored state (fingerprint table, slot index, parent, choice, depth). */
  bytesPerState(): number {
    return this.size === 0 ? 0 : (this.hi.byteLength + this.lo.byteLength + this.parent.byteLength + this.choice.byteLength + this.depth.byteLength) / this.size;
  }

  /** The slot holding (h, l), or the empty slot where it would go. */
  private find(h: number, l: number): number {
    const mask = this.hi.length - 1;
    let i = (Math.imul(l ^ (h >>> 7), 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      if ((this.hi[i] === 0 && this.lo[i] === 0) || (this.hi[i] === h && this.lo[i] === l)) return i;
      i = (i + 1) & mask;
    }
  }

  /** Whether a fingerprint is present. */
  has(fp: [number, number]): boolean {
    const h = fp[0] >>> 0;
    const l = h === 0 && fp[1] >>> 0 === 0 ? 1 : fp[1] >>> 0;
    const i = this.find(h, l);
    return this.hi[i] !== 0 || this.lo[i] !== 0;
  }

  /** Adds a state; returns its index, or -1 when its fingerprint is already present. */
  add(fp: [number, number], parent: number, choice: number, depth: number): number {
    if ((this.size + 1) * 4 > this.hi.length * 3) this.growTable();
    if (this.size + 1 > this.parent.length) this.growLinks();
    // the all-zero fingerprint marks empty slots, so it is stored as (0, 1).
    const h = fp[0] >>> 0;
    const l = h === 0 && fp[1] >>> 0 === 0 ? 1 : fp[1] >>> 0;
    const i = this.find(h, l);
    if (this.hi[i] !== 0 || this.lo[i] !== 0) return -1;
    const id = this.size++;
    this.hi[i] = h;
    this.lo[i] = l;
    this.parent[id] = parent;
    this.choice[id] = choice < WIDE ? choice : WIDE;
    if (choice >= WIDE) this.wide.set(id, choice);
    this.depth[id] = depth;
    return id;
  }

  /** The move (choice index) that led to state `id`. */
  choiceOf(id: number): number {
    const c = this.choice[id];
    return c === WIDE ? this.wide.get(id)! : c;
  }

  private growTable(): void {
    const { hi, lo } = this;
    const cap = hi.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] === 0 && lo[i] === 0) continue;
      const j = this.find(hi[i], lo[i]);
      this.hi[j] = hi[i];
      this.lo[j] = lo[i];
    }
  }

  private growLinks(): void {
    const n = Math.max(16, Math.ceil(this.parent.length * 1.25));
    const grow = <T extends Int32Array | Uint16Array>(a: T, make: (n: number) => T) => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.parent = grow(this.parent, (k) => new Int32Array(k));
    this.choice = grow(this.choice, (k) => new Uint16Array(k));
    this.depth = grow(this.depth, (k) => new Uint16Array(k));
  }

  /** The table as plain data (typed arrays as base64) for a checkpoint. */
  toJSON(): StateTableData {
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return { size: this.size, hi: b64(this.hi), lo: b64(this.lo), parent: b64(this.parent), choice: b64(this.choice), depth: b64(this.depth), wide: [...this.wide] };
  }

  /** Restores a table saved with toJSON. */
  static fromJSON(d: StateTableData): StateTable {
    const bytes = (s: string) => {
      const b = Buffer.from(s, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    };
    const t = new StateTable(4);
    t.hi = new Uint32Array(bytes(d.hi));
    t.lo = new Uint32Array(bytes(d.lo));
    t.parent = new Int32Array(bytes(d.parent));
    t.choice = new Uint16Array(bytes(d.choice));
    t.depth = new Uint16Array(bytes(d.depth));
    t.size = d.size;
    t.wide = new Map(d.wide ?? []);
    return t;
  }

  /** Choice indices from the root to state `id`. */
  path(id: number): number[] {
    const out: number[] = [];
    for (let s = id; s > 0; s = this.parent[s]) out.push(this.choiceOf(s));
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

/** The largest move index `choice` holds itself; larger ones are kept aside. */
const WIDE = 0xffff;

/** Birthday-bound estimate of the probability that two distinct states shared a 64-bit fingerprint. */
export function collisionProbability(states: number): number {
  return -Math.expm1(-(states * (states - 1)) / 2 / 2 ** 64);
}
