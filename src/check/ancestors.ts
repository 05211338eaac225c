/**
 * Sealed worlds kept to expand, and to rebuild nearby states from. States are expanded in order
 * and siblings are contiguous, so recent parents (and their parents) serve the next states too:
 * a rebuild is one fork and one event instead of a replay from the setup.
 */
import type { ModelEvent } from '../events/types.js';
import { sealWorld } from '../kernel/seal.js';
import type { World } from '../model/world.js';

/** A sealed world with its choices and (once asked for) its state key. */
export interface Ancestor {
  readonly world: World;
  readonly choices: ModelEvent[];
  key?: [number, number];
}

/** The most recently used ancestors by key; `make` builds a missing one (usually from its parent's). */
export class AncestorCache<K> {
  private readonly kept = new Map<K, Ancestor>();

  constructor(
    private readonly make: (key: K) => World,
    private readonly choicesOf: (w: World) => ModelEvent[],
    private readonly size = 64,
  ) {}

  /**
   * A state to expand: kept if it is, else built and not kept. Breadth-first order comes back to a
   * state as a parent only a level later, by when it would have been pushed out: kept, it would
   * only push out the parents and grandparents its level's next states are rebuilt from.
   */
  expand(key: K): Ancestor {
    const a = this.kept.get(key);
    if (a) return a;
    const world = sealWorld(this.make(key));
    return { world, choices: this.choicesOf(world) };
  }

  get(key: K): Ancestor {
    let a = this.kept.get(key);
    if (a) {
      // least recently used goes first: a parent stays while its children are expanded.
      this.kept.delete(key);
      this.kept.set(key, a);
      return a;
    }
    const world = sealWorld(this.make(key));
    a = { world, choices: this.choicesOf(world) };
    if (this.kept.size >= this.size) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, a);
    return a;
  }
}
