/**
 * Expanding one state: every choice applied to a fork of it, the properties and covers checked, the
 * successor's state key computed. Shared by the single-threaded explorer and the workers so they
 * cannot drift apart. Pure.
 *
 * An invariant depends on the state alone, so a successor whose key was already checked needs
 * only the transition properties: most transitions of a breadth-first search lead to known
 * states, and skipping their invariants is most of the property work saved.
 */
import type { ModelEvent } from '../events/types.js';
import { applyForked, forkUnchanged } from '../kernel/fork.js';
import { interruptible, stepWhere, type SteppedEvent } from '../kernel/stepped.js';
import { SUCCESS_CODES } from '../model/codes.js';
import type { Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import { checkProperties, notePre, type PreNotes, type Property, type Violation } from '../../properties/index.js';
import { WorldView } from '../../properties/view.js';
import { actorIndices, encodeMove, tryMove } from './moves.js';
import type { Cover } from './scenario.js';

export interface Successor {
  readonly world: World;
  /** The choice, marked with the step point it was interrupted at or failed at (moves.ts). */
  readonly event: SteppedEvent;
  readonly ok: boolean;
  /** The outcome's code (for coverage). */
  readonly code: string;
  /** The op calls of the move, when the expander counts them. */
  readonly calls?: Map<string, number>;
  readonly key: [number, number];
  readonly violations: Violation[];
  /** Indices (into the scenario's covers) this step hits. */
  readonly covers: number[];
}

export interface Expander {
  readonly props: readonly Property[];
  readonly covers: readonly Cover[];
  readonly key: (w: World) => [number, number];
  /** Whether a state with this key already had its invariants checked (undefined: never assume so). */
  readonly checked?: (key: [number, number]) => boolean;
  /** The expanded state's own key: a successor equal to it has that key and its invariants checked. */
  readonly parentKey?: () => [number, number];
  /**
   * Interleavings: what a device could observe, checked at every step point of each choice that a
   * kernel op handles; with `preemptions` 1, each such choice is also tried interrupted at every
   * step point by every actor choice. Absent: choices are applied whole, as with preemptions 0.
   */
  readonly observe?: (w: World) => Violation[];
  readonly preemptions?: number;
  /** Count every move's op calls (action coverage). */
  readonly countCalls?: boolean;
}

const transitionsOnly = new WeakMap<readonly Property[], readonly Property[]>();

function transitionProps(props: readonly Property[]): readonly Property[] {
  let t = transitionsOnly.get(props);
  if (!t) transitionsOnly.set(props, (t = props.filter((p) => p.kind === 'transition')));
  return t;
}

/** Pre-event notes per expanded world: they depend on the world alone, and every choice needs them. */
const preNotes = new WeakMap<World, { props: readonly Property[]; notes: PreNotes }>();

function preOf(world: World, props: readonly Property[]): PreNotes {
  const hit = preNotes.get(world);
  if (hit && hit.props === props) return hit.notes;
  const notes = notePre(world, props);
  preNotes.set(world, { props, notes });
  return notes;
}

/** `world` must be sealed (kernel/fork.ts): its successor shares the maps the event leaves alone. */
export function expandChoice(world: World, event: ModelEvent, x: Expander): Successor {
  return successor(world, event, applyForked(world, event), x);
}

/** Checks and keys what applying `event` to `world` gave: `stepFound` are violations found inside it. */
function successor(world: World, event: SteppedEvent, applied: { world: World; outcome: Outcome; calls?: Map<string, number> }, x: Expander, stepFound?: readonly Violation[]): Successor {
  const pre = preOf(world, x.props);
  const { world: next, outcome } = applied;
  // refusals, reads and rewrites of equal bytes lead back to the state itself.
  const same = x.parentKey !== undefined && forkUnchanged(world, next);
  const key = same ? x.parentKey!() : x.key(next);
  const props = same || x.checked?.(key) ? transitionProps(x.props) : x.props;
  // what a device could see inside the op first, then what holds (or not) once it is over.
  const violations = [...(stepFound ?? []), ...checkProperties(next, props, { event, outcome, pre, actor: event.step?.actor })];
  const view = new WorldView(next);
  const hit: number[] = [];
  x.covers.forEach((c, i) => {
    if (c.hit(view, { event, outcome })) hit.push(i);
  });
  return { world: next, event, ok: SUCCESS_CODES.has(outcome.code), code: outcome.code, calls: applied.calls, key, violations, covers: hit };
}

/** Where in a choice a step violation was found, as its messages say. */
const inside = (v: Violation, e: SteppedEvent): Violation => ({ ...v, message: `${v.message} (${stepWhere(e.type, e.step!.at, e.step!.point, e.step!.actor?.type)})` });

/** One move of a sealed state: decoded, applied, checked at its step points, and keyed; undefined when it cannot happen. */
export function expandMove(world: World, choices: readonly ModelEvent[], id: number, x: Expander): { succ: Successor; points: number } | undefined {
  const r = tryMove(world, choices, id, x.observe, x.countCalls);
  if (!r) return undefined;
  const found = r.run?.violation?.violations.map((v) => inside(v, r.event));
  return { succ: successor(world, r.event, r, x, found), points: r.run?.points.length ?? 0 };
}

/**
 * Every move of a sealed state, in a fixed order: each choice whole, then (with preemptions) each
 * way an actor choice can interrupt it. Without `observe` these are exactly the choices.
 */
export function* expandState(world: World, choices: readonly ModelEvent[], x: Expander): Generator<{ id: number; succ: Successor }> {
  const actors = actorIndices(choices);
  for (let c = 0; c < choices.length; c++) {
    const e = choices[c];
    if (!x.countCalls && (!x.observe || !interruptible(e))) {
      yield { id: c, succ: expandChoice(world, e, x) };
      continue;
    }
    // a whole choice never waits: nothing else runs inside it.
    const whole = expandMove(world, choices, c, x)!;
    yield { id: c, succ: whole.succ };
    if ((x.preemptions ?? 0) < 1 || !x.observe || !interruptible(e)) continue;
    for (let k = 0; k < whole.points; k++) {
      for (let j = 0; j < actors.length; j++) {
        // an op does not race itself: a migration of a page waits for the page lock a migration of it holds.
        if (actors[j] === c) continue;
        const id = encodeMove({ choice: c, at: k, actor: j }, choices.length, actors.length);
        const m = expandMove(world, choices, id, x);
        if (m) yield { id, succ: m.succ };
      }
    }
  }
}
