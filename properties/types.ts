/** What a property is and what it reports. Properties are pure: no throws, no assertions. */
import type { ModelEvent } from '../src/events/types.js';
import type { Outcome } from '../src/model/outcome.js';
import type { WorldView } from './view.js';
import type { World } from '../src/model/world.js';

/** A part of the world a property may read: a record map, the frames, or a scalar field. */
export type WorldPart = Exclude<keyof World, 'stats'>;

export interface Violation {
  readonly property: string;
  /** The broken fact, addresses in hex: "IOVA 0x2000 maps frame 0x41 whose pin count is 0". */
  readonly message: string;
}

/** What a transition property sees of one step: the event, its outcome, and what it noted before. */
export interface Step<Pre = unknown> {
  readonly event: ModelEvent;
  readonly outcome: Outcome;
  readonly pre: Pre;
  /** An actor's event that ran inside this one, at one of its step points (interleavings). */
  readonly actor?: ModelEvent;
}

/** A predicate over every reachable state. */
export interface Invariant {
  readonly name: string;
  readonly kind: 'invariant';
  readonly description: string;
  check(view: WorldView): Violation[];
  /**
   * The part a DMA issued right now could observe, which must hold at every step point inside an
   * op too (with interleavings on); the rest of `check` is bookkeeping that may be false for a
   * moment inside an op. Absent: the property is bookkeeping only, checked between events.
   */
  device?(view: WorldView): Violation[];
  /**
   * Every part of the world `check` reads (through `view.w` and the helpers it calls). The checker
   * skips `check` on a successor whose move changed none of them: its parent passed, and `check`
   * would read the same values. Absent: `check` runs on every new state. A test records what each
   * built-in property reads along random paths of every scenario and holds it to this list.
   */
  readonly reads?: readonly WorldPart[];
  /**
   * With 'frames' in `reads`: the frames whose bytes `check` reads, by the start of their owner
   * (memory/frames.ts FrameOwner: 'iommu:' host IOMMU tables, 'kvm:' KVM's stage-2, TCE and GISA
   * pages, 'anon:' a process's memory, the guest's included). The checker then also skips `check`
   * on a successor whose move wrote only frames of other owners and allocated or freed none (a
   * guest's store to its own memory, for a property that reads the host's tables). An empty list:
   * no frame's bytes, only which frames are in use. Absent: any frame. A test records every frame
   * each built-in property reads and holds its owner to this list.
   */
  readonly frameOwners?: readonly string[];
}

/** A predicate over every step: `pre` notes facts before the event, `check` judges the state after it. */
export interface TransitionProperty<Pre = unknown> {
  readonly name: string;
  readonly kind: 'transition';
  readonly description: string;
  pre(view: WorldView): Pre;
  check(view: WorldView, step: Step<Pre>): Violation[];
  /**
   * The only event types whose steps `check` can find broken; it is not called on others.
   * Absent: every step is checked.
   */
  readonly on?: readonly ModelEvent['type'][];
  /**
   * Parts of the world a step must change for `check` to find it broken (a step that leaves them
   * alone passes): the checker and replay skip `check` on a step that changed none of them.
   * Absent: every step is checked. `test/properties/transition-scope.test.ts` holds the built-in
   * properties' `on` and `changes` to what their checks do along random paths.
   */
  readonly changes?: readonly WorldPart[];
}

export type Property = Invariant | TransitionProperty;
