/**
 * Sealed worlds kept to expand, and to rebuild nearby states from. States are expanded in order
 * and siblings are contiguous, so recent parents (and their parents) serve the next states too:
 * a rebuild is one fork and one event instead of a replay from the setup, and a state to expand
 * is its parent's world with its move applied in place, not a fork at all.
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
   * Runs `fn` on the state to expand: one kept, or its parent's world with its move applied in
   * place, held (kernel/in-place.ts `hold`) while `fn` runs and undone after. Breadth-first order
   * comes back to a state as a parent only a level later, by when it would have been pushed out:
   * not kept, it does not push out the parents its level's next states come from; and applied in
   * place it costs no fork, no copy of what its move changes and no sealing of the copies.
   */
  expand(key: K, fn: (a: Ancestor) => void): void {
    const kept = this.kept.get(key);
    const up = kept === undefined ? this.stepTo(key) : undefined;
    if (up === undefined) {
      fn(kept ?? this.make(key));
      return;
    }
    const p = this.get(up.parent);
    const j = idle.pop() ?? new WorldJournal(true);
    try {
      if (!tryMoveInPlace(p.world, j, p.choices, up.move)) throw new Error(`move ${up.move} of a state's parent does not exist`);
      try {
        j.hold();
        fn({ world: p.world, choices: this.choicesOf(p.world) });
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
