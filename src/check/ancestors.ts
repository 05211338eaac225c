/**
 * Sealed worlds kept to expand, and to rebuild nearby states from. States are expanded in order
 * and siblings are contiguous, so recent parents (and their parents) serve the next states too:
 * a rebuild is one fork and one event instead of a replay from the setup, and a state to expand
 * is its parent's (or grandparent's) world with its moves applied in place, not a fork at all.
 */
import type { ModelEvent } from '../events/types.js';
import { WorldJournal } from '../kernel/in-place.js';
import { sealWorld } from '../kernel/seal.js';
import type { World } from '../model/world.js';
import { applyMove, tryMoveInPlace } from './moves.js';

/** A sealed world with its choices and (once asked for) its state key. */
export interface Ancestor {
  readonly world: World;
  readonly choices: ModelEvent[];
  key?: [number, number];
}

/** Where a state comes from: its parent's key and the move (moves.ts) that leads from it. */
export interface Step<K> {
  readonly parent: K;
  readonly move: number;
}

/** Journals holding a state's move while it is expanded (kept for their byte stores). */
const idle: WorldJournal[] = [];

/** The most recently used ancestors by key; a missing one is built from its parent's (or is the root). */
export class AncestorCache<K> {
  private readonly kept = new Map<K, Ancestor>();
  /** The parent the last state was expanded through in place (not kept). */
  private passedThrough: K | undefined;

  /** `stepTo`: how a state is reached from its parent (undefined: it is the root, made by `root`). */
  constructor(
    private readonly root: () => World,
    private readonly stepTo: (key: K) => Step<K> | undefined,
    private readonly choicesOf: (w: World) => ModelEvent[],
    private readonly size = 64,
  ) {}

  private make(key: K): Ancestor {
    const up = this.stepTo(key);
    let world: World;
    if (up === undefined) world = this.root();
    else {
      const p = this.get(up.parent);
      world = applyMove(p.world, p.choices, up.move).world;
    }
    sealWorld(world);
    return { world, choices: this.choicesOf(world) };
  }

  /**
   * Runs `fn` on the state to expand: one kept, or the nearest kept ancestor's world (its parent's,
   * else its grandparent's, else its parent built and kept) with the moves from there applied in
   * place, each held (kernel/in-place.ts `hold`) under the next while `fn` runs, and undone after.
   * Breadth-first order comes back to a state as a parent only a level later, by when it would
   * have been pushed out: not kept, it does not push out the parents its level's next states come
   * from; and applied in place it costs no fork, no copy of what its move changes and no sealing
   * of the copies. A grandparent serves where parents have few new children each (a symmetric
   * search): a move in place costs less than the fork of a parent no sibling will use; the second
   * sibling through one parent builds it, since it has more than one new child.
   */
  expand(key: K, fn: (a: Ancestor) => void): void {
    const kept = this.kept.get(key);
    const up = kept === undefined ? this.stepTo(key) : undefined;
    if (up === undefined) {
      fn(kept ?? this.make(key));
      return;
    }
    const steps = [up];
    let from = this.kept.has(up.parent) ? this.get(up.parent) : undefined;
    if (from === undefined) {
      const above = this.stepTo(up.parent);
      // a parent a sibling was just expanded through will serve more: it is built and kept.
      if (above !== undefined && this.kept.has(above.parent) && this.passedThrough !== up.parent) {
        steps.unshift(above);
        from = this.get(above.parent);
        this.passedThrough = up.parent;
      } else from = this.get(up.parent);
    }
    this.inPlace(from, steps, 0, fn);
  }

  /** Applies `steps[i..]` to `a`'s world in place, each held under the next, then runs `fn`; undoes them all. */
  private inPlace(a: Ancestor, steps: readonly Step<K>[], i: number, fn: (a: Ancestor) => void): void {
    if (i === steps.length) {
      fn(a);
      return;
    }
    const j = idle.pop() ?? new WorldJournal(true);
    try {
      if (!tryMoveInPlace(a.world, j, a.choices, steps[i].move)) throw new Error(`move ${steps[i].move} of a state's parent does not exist`);
      try {
        j.hold();
        this.inPlace({ world: a.world, choices: this.choicesOf(a.world) }, steps, i + 1, fn);
      } finally {
        j.undo();
      }
    } finally {
      idle.push(j);
    }
  }

  get(key: K): Ancestor {
    let a = this.kept.get(key);
    if (a) {
      // least recently used goes first: a parent stays while its children are expanded.
      this.kept.delete(key);
      this.kept.set(key, a);
      return a;
    }
    a = this.make(key);
    if (this.kept.size >= this.size) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, a);
    return a;
  }
}
