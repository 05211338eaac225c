/**
 * A list of 32-bit words in a typed buffer that grows by doubling, handed over whole: what the
 * checker's threads send each other (keys, move records). A key half above 2^31 put into a plain
 * array is a heap number, one per successor.
 */
export class U32List {
  private buf: Uint32Array;
  private used = 0;

  constructor(capacity = 1 << 12) {
    this.buf = new Uint32Array(capacity);
  }

  get length(): number {
    return this.used;
  }

  push(x: number): void {
    if (this.used === this.buf.length) {
      const grown = new Uint32Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.used++] = x;
  }

  /** Adds one to the word at `i` (a count written before what it counts). */
  bump(i: number): void {
    this.buf[i]++;
  }

  /** The words so far, in a buffer of their own (to transfer, not copy); the list starts empty. */
  take(): Uint32Array {
    const out = this.buf.slice(0, this.used);
    this.used = 0;
    return out;
  }
}
