/**
 * What a checker worker thread knows of state keys, in a fixed-size direct-mapped cache (a slot
 * another key takes only means not knowing any more): which states had their invariants checked,
 * by this worker or by whichever found a state the parent's visited set holds, and of those which
 * the visited set holds by the time the parent merges a later move of this worker's. The first
 * lets a worker skip the invariants of known states; the second lets a reply leave the key out.
 * Numbers only, so the collector has nothing to trace.
 */

/** A key the visited set holds when the parent merges this worker's next moves. */
export const IN_TABLE = 1;
/** A key whose invariants were checked, reached by a move the parent may pass over (an interleaving). */
export const CHECKED = 0;

export class KnownKeys {
  /** Slot i: the key's halves at 3i and 3i + 1, side by side (a lookup misses the processor's cache once), its tag at 3i + 2. */
  private readonly slots: Uint32Array;

  constructor(private readonly bits: number) {
    this.slots = new Uint32Array(3 << bits);
  }

  private slot(hi: number, lo: number): number {
    return 3 * ((Math.imul(lo ^ (hi >>> 5), 0x9e3779b1) >>> 0) >>> (32 - this.bits));
  }

  /** Whether slot `i` holds the key (0, 0 never counts: it is an empty slot's). */
  private holds(hi: number, lo: number, i: number): boolean {
    return this.slots[i] === hi >>> 0 && this.slots[i + 1] === lo >>> 0 && (hi | lo) !== 0;
  }

  /** Whether the state with this key had its invariants checked. */
  checked(hi: number, lo: number): boolean {
    return this.holds(hi, lo, this.slot(hi, lo));
  }

  /** Whether the parent's visited set holds the key when it merges this worker's next moves. */
  inTable(hi: number, lo: number): boolean {
    const i = this.slot(hi, lo);
    return this.holds(hi, lo, i) && this.slots[i + 2] === IN_TABLE;
  }

  /** Notes the key with `tag`; one already known to be in the visited set stays so. */
  remember(hi: number, lo: number, tag: typeof IN_TABLE | typeof CHECKED): void {
    const i = this.slot(hi, lo);
    if (this.holds(hi, lo, i) && this.slots[i + 2] === IN_TABLE) return;
    this.slots[i] = hi >>> 0;
    this.slots[i + 1] = lo >>> 0;
    this.slots[i + 2] = tag;
  }
}
