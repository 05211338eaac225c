/**
 * Expanding one state: every choice applied to it in place and undone (kernel/in-place.ts), the
 * properties and covers checked and the successor's state key computed in between. Shared by the
 * single-threaded explorer and the workers so they cannot drift apart. Pure.
 *
 * An invariant depends on the state alone, so a successor whose key was already checked needs
 * only the transition properties: most transitions of a breadth-first search lead to known
 * states, and skipping their invariants is most of the property work saved.
 */
import type { ModelEvent } from '../events/types.js';
import { applyInPlace, WorldJournal } from '../kernel/in-place.js';
import { interruptible, stepWhere, type SteppedEvent } from '../kernel/stepped.js';
import { SUCCESS_CODES } from '../model/codes.js';
import type { Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import { checkOne, notePre, transitionInScope, type PreNotes, type Property, type Violation } from '../../properties/index.js';
import { WorldView } from '../../properties/view.js';
import { actorIndices, encodeMove, tryMoveInPlace } from './moves.js';
import type { Cover } from './scenario.js';
import { fingerprint } from './fingerprint.js';
import { incrementalFingerprint, type IncrementalKey } from './state-key.js';

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
  readonly violations: readonly Violation[];
  /** Indices (into the scenario's covers) this step hits. */
  readonly covers: readonly number[];
}

export interface Expander {
  readonly props: readonly Property[];
  readonly covers: readonly Cover[];
  readonly key: (w: World) => [number, number];
  /** `key` kept up with each move (state-key.ts); absent, the fingerprint's when `key` is the fingerprint, else none. */
  readonly incremental?: IncrementalKey;
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
  /** Whether cover `i` is still to be hit (absent: every cover is asked on every move). */
  readonly coverPending?: (i: number) => boolean;
}

/**
 * Whether `p` is checked on a successor: a transition property whenever the step is in its scope
 * (its `on` and `changes`); an invariant only on a state not checked before (`fresh`), and then
 * when it reads a part of the world the move changed (or does not say what it reads), frames of
 * the owners it names counted alone where it names them: the state expanded passed every
 * invariant, and one that reads nothing the move changed would read the same values.
 */
function wanted(p: Property, fresh: boolean, same: boolean, type: string, j: WorldJournal): boolean {
  if (p.kind === 'transition') return transitionInScope(p, type, same ? undefined : j);
  return fresh && (p.reads === undefined || j.changedAny(p.reads, undefined, p.frameOwners));
}

const NONE: readonly never[] = Object.freeze([]);

/** Journals not in use: an expansion takes one and gives it back (their byte stores are reused). */
const idle: WorldJournal[] = [];

/** Checks and keys what applying `event` to `world` in place gave: `stepFound` are violations found inside it. */
function successor(world: World, event: SteppedEvent, outcome: Outcome, calls: Map<string, number> | undefined, x: Expander, s: Expansion, stepFound?: readonly Violation[]): Successor {
  // refusals, reads and rewrites of equal bytes lead back to the state itself.
  const same = s.parentKey !== undefined && s.journal.unchanged();
  const key = same ? s.parentKey! : s.base ? s.incremental!.after(s.base, world, s.journal) : x.key(world);
  const fresh = !same && !x.checked?.(key);
  // what a device could see inside the op first, then what holds (or not) once it is over.
  let found: Violation[] | undefined = stepFound !== undefined && stepFound.length > 0 ? [...stepFound] : undefined;
  let view: WorldView | undefined;
  let step: Parameters<typeof checkOne>[2];
  for (const p of x.props) {
    if (!wanted(p, fresh, same, event.type, s.journal)) continue;
    const v = checkOne((view ??= new WorldView(world)), p, (step ??= { event, outcome, pre: s.pre, actor: event.step?.actor }));
    if (v.length > 0) (found ??= []).push(...v);
  }
  const violations = found ?? NONE;
  // most moves hit no cover and find nothing: they share the empty lists rather than make their own.
  let hit: number[] | undefined;
  for (let i = 0; i < x.covers.length; i++) {
    // a cover hit once is hit: the run asks only about the others.
    if (x.coverPending && !x.coverPending(i)) continue;
    if (x.covers[i].hit((view ??= new WorldView(world)), { event, outcome })) (hit ??= []).push(i);
  }
  const out = s.out;
  out.world = world;
  out.event = event;
  out.ok = SUCCESS_CODES.has(outcome.code);
  out.code = outcome.code;
  out.calls = calls;
  out.key = key;
  out.violations = violations;
  out.covers = hit ?? NONE;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What every successor of one expanded state shares: the journal, the pre-event notes and the state's own key. */
interface Expansion {
  readonly journal: WorldJournal;
  readonly pre: PreNotes;
  readonly parentKey?: [number, number];
  /** With an incremental key: the expanded state's reading successors' keys are derived from. */
  readonly incremental?: IncrementalKey;
  readonly base?: { readonly key: [number, number] };
  /** The record every successor is told in: one per expansion, filled in per move (a record per move was a fiftieth of a run). */
  readonly out: Mutable<Successor>;
}

/** Where in a choice a step violation was found, as its messages say. */
const inside = (v: Violation, e: SteppedEvent): Violation => ({ ...v, message: `${v.message} (${stepWhere(e.type, e.step!.at, e.step!.point, e.step!.actor?.type)})` });

/** One move applied to `world` in place (undo with s.journal); undefined when it cannot happen. */
function expandMove(world: World, choices: readonly ModelEvent[], id: number, x: Expander, s: Expansion): { succ: Successor; points: number } | undefined {
  const r = tryMoveInPlace(world, s.journal, choices, id, x.observe, x.countCalls);
  if (!r) return undefined;
  try {
    const found = r.run?.violation?.violations.map((v) => inside(v, r.event));
    return { succ: successor(world, r.event, r.outcome, r.calls, x, s, found), points: r.run?.points.length ?? 0 };
  } catch (err) {
    // a property or cover that throws leaves the state as it was.
    s.journal.undo();
    throw err;
  }
}

/**
 * Told each successor in turn; returning false ends the expansion (the move is undone either way).
 * The successor record is the expansion's own, filled in again for the next move: what outlives
 * the call must be copied out of it (its lists and key are never changed after).
 */
export type Visit = (id: number, succ: Successor) => boolean | void;

/**
 * Every move of a sealed state, in a fixed order: each choice whole, then (with preemptions) each
 * way an actor choice can interrupt it. Without `observe` these are exactly the choices. Each
 * successor is the state itself with the move applied in place: its `world` is valid while
 * `visit` runs, and the move is undone when it returns (or throws). A callback rather than a
 * generator: a resumed generator cost an iterator result and a frame per move.
 */
export function expandState(world: World, choices: readonly ModelEvent[], x: Expander, visit: Visit): void {
  // found only when moves interrupt choices with them (a pass over the state's own choice list).
  const actors = (x.preemptions ?? 0) >= 1 && x.observe ? actorIndices(choices) : [];
  const journal = idle.pop() ?? new WorldJournal(true);
  // both depend on the state alone: taken before any move changes it.
  const incremental = x.incremental ?? (x.key === fingerprint ? incrementalFingerprint : undefined);
  const base = incremental?.base(world);
  const out: Mutable<Successor> = { world, event: choices[0], ok: false, code: '', calls: undefined, key: [0, 0], violations: NONE, covers: NONE };
  const s: Expansion = { journal, pre: notePre(world, x.props), parentKey: base?.key ?? x.parentKey?.(), incremental, base, out };
  try {
    for (let c = 0; c < choices.length; c++) {
      const e = choices[c];
      if (!x.countCalls && (!x.observe || !interruptible(e))) {
        const outcome = applyInPlace(world, journal, e);
        // the successor is made inside the try: whatever throws, the move is undone.
        try {
          if (visit(c, successor(world, e, outcome, undefined, x, s)) === false) return;
        } finally {
          journal.undo();
        }
        continue;
      }
      // a whole choice never waits: nothing else runs inside it.
      const whole = expandMove(world, choices, c, x, s)!;
      try {
        if (visit(c, whole.succ) === false) return;
      } finally {
        journal.undo();
      }
      if ((x.preemptions ?? 0) < 1 || !x.observe || !interruptible(e)) continue;
      for (let k = 0; k < whole.points; k++) {
        for (let a = 0; a < actors.length; a++) {
          // an op does not race itself: a migration of a page waits for the page lock a migration of it holds.
          if (actors[a] === c) continue;
          const id = encodeMove({ choice: c, at: k, actor: a }, choices.length, actors.length);
          const m = expandMove(world, choices, id, x, s);
          if (!m) continue;
          try {
            if (visit(id, m.succ) === false) return;
          } finally {
            journal.undo();
          }
        }
      }
    }
  } finally {
    idle.push(journal);
  }
}

/** Every successor of a state, collected (tests and tools; the explorers visit them one by one). */
export function successorsOf(world: World, choices: readonly ModelEvent[], x: Expander): { id: number; succ: Successor }[] {
  const out: { id: number; succ: Successor }[] = [];
  expandState(world, choices, x, (id, succ) => {
    out.push({ id, succ: { ...succ } });
  });
  return out;
}
