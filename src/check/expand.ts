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
import { SUCCESS_CODES } from '../model/codes.js';
import type { World } from '../model/world.js';
import { checkProperties, notePre, type PreNotes, type Property, type Violation } from '../../properties/index.js';
import { WorldView } from '../../properties/view.js';
import type { Cover } from './scenario.js';

export interface Successor {
  readonly world: World;
  readonly event: ModelEvent;
  readonly ok: boolean;
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

/** `world` must be sealed (model/fork.ts): its successor shares the maps the event leaves alone. */
export function expandChoice(world: World, event: ModelEvent, x: Expander): Successor {
  const pre = preOf(world, x.props);
  const { world: next, outcome } = applyForked(world, event);
  // refusals, reads and rewrites of equal bytes lead back to the state itself.
  const same = x.parentKey !== undefined && forkUnchanged(world, next);
  const key = same ? x.parentKey!() : x.key(next);
  const props = same || x.checked?.(key) ? transitionProps(x.props) : x.props;
  const violations = checkProperties(next, props, { event, outcome, pre });
  const view = new WorldView(next);
  const hit: number[] = [];
  x.covers.forEach((c, i) => {
    if (c.hit(view, { event, outcome })) hit.push(i);
  });
  return { world: next, event, ok: SUCCESS_CODES.has(outcome.code), key, violations, covers: hit };
}
