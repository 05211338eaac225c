/**
 * The undo journal of a sealed world's maps and sets while an event is applied in place: each
 * write is made where it is (kernel/seal.ts hands it over) and recorded with the value it
 * replaced, so it can be undone; the world parts written are kept for `WorldJournal.changed`.
 *
 * Order is part of a map: a handler that walks one sees its keys in insertion order. Undoing a
 * delete by adding the key back would move it to the end, so the first delete from a map or set
 * in a move keeps its whole content in order, and undo puts that back instead of undoing the
 * writes after it one by one (the writes before it only added keys or replaced values).
 */
import { freeze, keptWrite, type SealedWrites } from './seal.js';

const MAP_SET = Map.prototype.set;
const MAP_DELETE = Map.prototype.delete;
const MAP_CLEAR = Map.prototype.clear;
const SET_ADD = Set.prototype.add;
const SET_DELETE = Set.prototype.delete;
const SET_CLEAR = Set.prototype.clear;

type Target = Map<unknown, unknown> | Set<unknown>;

export class MapUndo implements SealedWrites {
  /** Per write: the map or set, the key (or member), whether it was there, the value it had, and its part; the first `n` are this move's (slots are reused). */
  private readonly targets: Target[] = [];
  private readonly keys: unknown[] = [];
  private readonly had: boolean[] = [];
  private readonly olds: unknown[] = [];
  private readonly parts: string[] = [];
  /** Whether each write put a copy of a record in (kernel/footprint.ts), not a change of the event's own. */
  private readonly copies: boolean[] = [];
  /** While set, writes are copies a footprint puts in before the event runs. */
  copying = false;
  private n = 0;
  /** Writes that are the event's own. */
  private own = 0;
  /** Maps and sets a key left in this move: the write that first removed one, and the entries in order just before it. */
  private readonly orders = new Map<Target, { at: number; before: unknown[] }>();

  /** Whether the event itself wrote a map or set of world part `part` in this move. */
  written(part: string): boolean {
    if (this.own === 0) return false;
    for (let i = 0; i < this.n; i++) if (this.parts[i] === part && !this.copies[i]) return true;
    return false;
  }

  /** Whether a map or set of `part` was written in this move, copies of records put in included. */
  touched(part: string): boolean {
    for (let i = 0; i < this.n; i++) if (this.parts[i] === part) return true;
    return false;
  }

  /**
   * The parts a map or set of which was written in this move, copies included, as a mask (part p
   * at bit `index.get(p)`): `touched` for every part at once, in one pass over the writes.
   */
  touchedMask(index: ReadonlyMap<string, number>): number {
    let mask = 0;
    for (let i = 0; i < this.n; i++) {
      const b = index.get(this.parts[i]);
      if (b !== undefined) mask |= 1 << b;
    }
    return mask;
  }

  /** Whether this map or set was written in this move. */
  wrote(t: object): boolean {
    for (let i = 0; i < this.n; i++) if (this.targets[i] === t) return true;
    return false;
  }

  forEachWritten(fn: (t: object, part: string) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.targets[i], this.parts[i]);
  }

  keysWritten(t: object, most: number, fn: (k: unknown, had: boolean, old: unknown) => void): boolean {
    let count = 0;
    for (let i = 0; i < this.n; i++) if (this.targets[i] === t && ++count > most) return false;
    for (let i = 0; i < this.n; i++) {
      if (this.targets[i] !== t) continue;
      const k = this.keys[i];
      // the first write of a key saw it as it was before the move.
      let first = true;
      for (let j = 0; j < i && first; j++) if (this.targets[j] === t && sameKey(this.keys[j], k)) first = false;
      if (first) fn(k, this.had[i], this.olds[i]);
    }
    return true;
  }

  /** Whether the event itself wrote anything in this move. */
  any(): boolean {
    return this.own > 0;
  }

  /**
   * Whether a record of `part` a footprint copied now differs from the one it replaced (`same`
   * compares a record with its copy); false when the event wrote none of them.
   */
  copiesDiffer(part: string, same: (a: unknown, b: unknown) => boolean): boolean {
    for (let i = 0; i < this.n; i++) {
      if (this.parts[i] !== part || !this.copies[i]) continue;
      const m = this.targets[i] as Map<unknown, unknown>;
      if (!m.has(this.keys[i]) || !same(this.olds[i], m.get(this.keys[i]))) return true;
    }
    return false;
  }

  private note(t: Target, part: string, k: unknown, had: boolean, old: unknown): void {
    const i = this.n++;
    this.targets[i] = t;
    this.keys[i] = k;
    this.had[i] = had;
    this.olds[i] = old;
    this.parts[i] = part;
    this.copies[i] = this.copying;
    if (!this.copying) this.own++;
  }

  mapSet(m: Map<unknown, unknown>, part: string, k: unknown, v: unknown): void {
    const had = m.has(k);
    this.note(m, part, k, had, had ? m.get(k) : undefined);
    MAP_SET.call(m, k, v);
  }

  mapDelete(m: Map<unknown, unknown>, part: string, k: unknown): void {
    if (!this.orders.has(m)) this.orders.set(m, { at: this.n, before: [...m.entries()] });
    this.note(m, part, k, true, m.get(k));
    MAP_DELETE.call(m, k);
  }

  setAdd(s: Set<unknown>, part: string, x: unknown): void {
    this.note(s, part, x, false, undefined);
    SET_ADD.call(s, x);
  }

  setDelete(s: Set<unknown>, part: string, x: unknown): void {
    if (!this.orders.has(s)) this.orders.set(s, { at: this.n, before: [...s.values()] });
    this.note(s, part, x, true, undefined);
    SET_DELETE.call(s, x);
  }

  /** Puts every map and set back as it was, newest write first. */
  undo(): void {
    for (let i = this.n - 1; i >= 0; i--) {
      const t = this.targets[i];
      const order = this.orders.get(t);
      if (order !== undefined && i >= order.at) {
        if (i === order.at) restore(t, order.before);
        continue;
      }
      if (t instanceof Map) {
        if (this.had[i]) MAP_SET.call(t, this.keys[i], this.olds[i]);
        else MAP_DELETE.call(t, this.keys[i]);
      } else if (this.had[i]) SET_ADD.call(t, this.keys[i]);
      else SET_DELETE.call(t, this.keys[i]);
    }
    this.reset();
  }

  /** Seals the values written into sealed maps, the writes standing and still undoable (WorldJournal.hold). */
  sealValues(): void {
    for (let i = 0; i < this.n; i++) {
      const t = this.targets[i];
      if (t instanceof Map) freeze(t.get(this.keys[i]), this.parts[i]);
    }
  }

  /** Keeps every write; the values written into sealed maps are sealed in turn. */
  commit(): void {
    for (let i = 0; i < this.n; i++) {
      const t = this.targets[i];
      if (t instanceof Map) freeze(t.get(this.keys[i]), this.parts[i]);
      keptWrite(t);
    }
    this.reset();
  }

  private reset(): void {
    // most moves write no sealed map: nothing to clear.
    if (this.n === 0) return;
    // slots are overwritten by later moves; what they held is let go now (the arrays keep their stores).
    for (let i = 0; i < this.n; i++) {
      this.targets[i] = undefined!;
      this.keys[i] = undefined;
      this.olds[i] = undefined;
    }
    this.n = 0;
    this.own = 0;
    if (this.orders.size > 0) this.orders.clear();
  }
}

/** Keys as a map compares them (SameValueZero: NaN is NaN). */
const sameKey = (a: unknown, b: unknown) => a === b || (a !== a && b !== b);

/** Refills a map or set with `before`, its entries (members) in order. */
function restore(t: Target, before: unknown[]): void {
  if (t instanceof Map) {
    MAP_CLEAR.call(t);
    for (const [k, v] of before as [unknown, unknown][]) MAP_SET.call(t, k, v);
  } else {
    SET_CLEAR.call(t);
    for (const x of before) SET_ADD.call(t, x);
  }
}
