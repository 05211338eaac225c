/**
 * Moves: the edges of the state graph. A move is one of the state's choices applied whole, or,
 * with preemptions on, a choice interrupted at one of its step points by one of the state's actor
 * choices (a device DMA, a host migration, another vCPU's write) that runs there before the choice
 * goes on. Move indices are dense per state and need only the numbers of choices and actors to
 * decode, so a state is rebuilt from its parent without running anything first. Pure.
 */
import type { ModelEvent } from '../events/types.js';
import { applyForked } from '../kernel/fork.js';
import { applyInPlace, type WorldJournal } from '../kernel/in-place.js';
import { ACTOR_TYPES, applyStepped, interruptible, type SteppedEvent, type SteppedRun } from '../kernel/stepped.js';
import type { Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import { withOpCounts, WouldWait } from '../ops/steps.js';
import { applyEvent } from '../kernel/reduce.js';

/** Choice `choice`, whole (`at` -1), or interrupted at step point `at` by actor choice `actor`. */
export interface Move {
  readonly choice: number;
  readonly at: number;
  /** An index into the state's actor choices (actorIndices). */
  readonly actor: number;
}

/** Move index of a whole choice c: c; of c interrupted at k by actor j: c + C * (1 + j + A * k). */
export function encodeMove(m: Move, choices: number, actors: number): number {
  return m.at < 0 ? m.choice : m.choice + choices * (1 + m.actor + actors * m.at);
}

export function decodeMove(id: number, choices: number, actors: number): Move {
  if (id < choices) return { choice: id, at: -1, actor: -1 };
  const q = Math.floor(id / choices) - 1;
  return { choice: id % choices, at: Math.floor(q / actors), actor: q % actors };
}

const ACTORS = new WeakMap<readonly ModelEvent[], number[]>();
const NO_ACTORS: readonly number[] = [];

/** The indices of a state's choices that are actors' events (computed once per choice list). */
export function actorIndices(choices: readonly ModelEvent[]): number[] {
  let a = ACTORS.get(choices);
  if (!a) {
    a = [];
    for (let i = 0; i < choices.length; i++) if (ACTOR_TYPES.has(choices[i].type)) a.push(i);
    ACTORS.set(choices, a);
  }
  return a;
}

export interface MoveResult<V> {
  readonly world: World;
  readonly outcome: Outcome;
  /** The choice, marked with where it was interrupted or where `observe` found something. */
  readonly event: SteppedEvent;
  /** The step run, when the move was applied step by step. */
  readonly run?: SteppedRun<V>;
  /** The op calls the move made, when counted. */
  readonly calls?: Map<string, number>;
}

/**
 * Applies move `id` to the sealed `w` itself, journalled in `j` (`j.undo()` puts `w` back). With
 * `observe`, a whole choice that can be interrupted is applied step by step and checked at every
 * step point; an interrupted one is checked right after the actor's event. Undefined, with nothing
 * to undo, when the actor would have to wait for what the op holds at that step point: that
 * interleaving does not exist.
 */
export function tryMoveInPlace<V>(w: World, j: WorldJournal, choices: readonly ModelEvent[], id: number, observe?: (w: World) => readonly V[], count = false): MoveResult<V> | undefined {
  try {
    return moveWith((e, run, fp) => ({ world: w, outcome: applyInPlace(w, j, e, run, fp) }), choices, id, observe, count);
  } catch (err) {
    if (err instanceof WouldWait) return undefined;
    throw err;
  }
}

/**
 * A move known to exist (tryMoveInPlace gave a result for it), applied to a fork of the sealed
 * `parent`: how a state is rebuilt from its parent. With `count`, the op calls of
 * the attempt that stood are counted (a fork that had to start over counts once).
 */
export function applyMove<V>(parent: World, choices: readonly ModelEvent[], id: number, observe?: (w: World) => readonly V[], count = false): MoveResult<V> {
  return moveWith((e, run, fp) => applyForked(parent, e, run, fp), choices, id, observe, count);
}

/** How a move's event is applied: to a fork, or in place. `run` may run twice and must start afresh. */
type Applier = (e: ModelEvent, run: (w: World, e: ModelEvent) => Outcome, footprint?: string) => { world: World; outcome: Outcome };

function moveWith<V>(apply: Applier, choices: readonly ModelEvent[], id: number, observe?: (w: World) => readonly V[], count = false): MoveResult<V> {
  // a whole choice's index is the choice's: the actors are found only for an interrupted one
  // (every state has its own choice list, so finding them costs a pass over it each time).
  const actors = id < choices.length ? NO_ACTORS : actorIndices(choices);
  const m = decodeMove(id, choices.length, actors.length);
  const e = choices[m.choice];
  let calls: Map<string, number> | undefined;
  const counted = <T>(fn: () => T): T => {
    if (!count) return fn();
    const r = withOpCounts(fn);
    calls = r.calls;
    return r.result;
  };
  if (m.at < 0 && (!observe || !interruptible(e))) {
    const r = apply(e, (w, ev) => counted(() => applyEvent(w, ev)));
    return { world: r.world, outcome: r.outcome, event: e, calls };
  }
  const actor = m.at < 0 ? undefined : choices[actors[m.actor]];
  let run!: SteppedRun<V>;
  const r = apply(
    e,
    (w, ev) => (run = counted(() => applyStepped(w, ev, { observe, inject: actor && { at: m.at, actor } }))).outcome,
    actor ? `${e.type}+${actor.type}` : e.type,
  );
  const at = actor ? m.at : run.violation?.at;
  const point = at === undefined ? undefined : run.points[at]?.name;
  const event: SteppedEvent = at === undefined ? e : { ...e, step: { at, point: point ?? '', ...(actor ? { actor } : {}) } };
  return { world: r.world, outcome: r.outcome, event, run, calls };
}
