/**
 * The exhaustive explorer: breadth-first over every choice in every state, so the first violation
 * found has a shortest trace. Fingerprints and parent links are all it keeps per state; a state is
 * rebuilt by applying its last choice to its parent, kept in a small cache or rebuilt in turn. Every property is checked on every step; covers
 * are reported hit or never hit. Bounds end a run cleanly as incomplete. Pure: time comes from
 * the injected clock.
 */
import { designNamed, requireDesign } from '../ops/registry.js';
import type { EventOf, ModelEvent } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { sealWorld } from '../kernel/seal.js';
import type { SteppedEvent } from '../kernel/stepped.js';
import { DesignError } from '../errors.js';
import { AncestorCache, type Ancestor } from './ancestors.js';
import { cloneWorld, emptyWorld, type World } from '../model/world.js';
import { checkProperties, deviceCheck, notePre, propertyNamed, type Property, type Violation } from '../../properties/index.js';
import { fingerprint } from './fingerprint.js';
import { expandState, type Expander } from './expand.js';
import { applyMove } from './moves.js';
import { CoverageTally, type Coverage } from './coverage.js';
import { withOpCounts } from '../ops/steps.js';
import { incrementalKeyFn, stateKeyFn } from './state-key.js';
import { SETUP_REFUSED, SetupRefused, type Params, type Scenario } from './scenario.js';
import { SUCCESS_CODES } from '../model/codes.js';
import { collisionProbability, StateTable, type StateTableData } from './visited.js';

export interface ExploreOptions {
  /** A registered design variant to run the scenario under (injected into its host.boot). */
  readonly variant?: string;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  readonly symmetry?: boolean;
  /** Report a state in which every choice is refused. */
  readonly deadlock?: boolean;
  /**
   * Actor events allowed inside each event (0 or 1; 0 when omitted). At 1, what a device could
   * observe is checked at every step point of every kernel op, and each op is also tried with one
   * actor choice (DMA, migration, another vCPU's write) run at each of its step points.
   */
  readonly preemptions?: number;
  /** Count action coverage: per event type and per op (see coverage.ts). Not kept across a checkpoint. */
  readonly coverage?: boolean;
  readonly now?: () => number;
  /** Called with every newly discovered state (tests use it to compare state keys). */
  readonly observe?: (w: World) => void;
  /** Polled between state expansions: a reason ends the run cleanly as incomplete (memory limit, SIGINT). */
  readonly shouldStop?: () => 'max-memory' | 'interrupted' | undefined;
  /** Saves the explorer's progress every `everyMs` (and when it stops early), to resume from. */
  readonly checkpoint?: { readonly everyMs: number; save(c: Checkpoint): void };
  /** Continues a run from a checkpoint of the same scenario, parameters and variant. */
  readonly resume?: Checkpoint;
  readonly onProgress?: (p: { states: number; transitions: number; depth: number; queued: number }) => void;
}

export interface FoundViolation extends Violation {
  /** Setup prefix plus the path to the violating step, as replayable events (interleaved ones marked). */
  readonly trace: SteppedEvent[];
  /** Index in `trace` where the explored part starts. */
  readonly setupLength: number;
}

/** The explorer's progress: every state below `next` is expanded and its successors are in the table. */
export interface Checkpoint {
  /** 4 since the world names its design (`design`, once `variant`) and runs take the scenario's design: older keys would not match. */
  readonly version: 4;
  readonly scenario: string;
  readonly params: Params;
  readonly variant: string;
  readonly symmetry: boolean;
  readonly preemptions: number;
  readonly next: number;
  readonly transitions: number;
  readonly deepest: number;
  readonly deadlocks: number;
  readonly incompleteDepth: boolean;
  readonly covers: boolean[];
  readonly table: StateTableData;
}

export interface ExploreResult {
  readonly status: 'pass' | 'violation' | 'incomplete';
  readonly incompleteReason?: 'max-states' | 'max-depth' | 'time-limit' | 'max-memory' | 'interrupted';
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly bytesPerState: number;
  readonly collisionProbability: number;
  readonly violations: FoundViolation[];
  readonly covers: { name: string; hit: boolean }[];
  readonly deadlocks: number;
  /** Per-action counts, present when the run asked for coverage. */
  readonly coverage?: Coverage;
}

/**
 * Runs the scenario's setup on a fresh world; returns the world and the events applied. A design
 * given for the run replaces the one the scenario's host.boot names, and a design a user module
 * registered is recorded with the module's hash, so the counterexample log says what it needs.
 */
export function buildSetup<Ctx>(s: Scenario<Ctx>, p: Params, variant = ''): { world: World; events: ModelEvent[]; ctx: Ctx } {
  const world = emptyWorld();
  const events: ModelEvent[] = [];
  const boot = (e: EventOf<'host.boot'>): EventOf<'host.boot'> => {
    const design = variant || e.design;
    return { ...e, design, module: designNamed(design)?.origin?.hash };
  };
  const ctx = s.setup(
    p,
    (given, allowed: readonly string[] = [...SUCCESS_CODES]) => {
      const e = given.type === 'host.boot' ? boot(given) : given;
      const out = applyEvent(world, e);
      events.push(e);
      if (!allowed.includes(out.code)) throw new SetupRefused(s.name, events, out);
      return out;
    },
    world,
  );
  return { world, events, ctx };
}

/** Coverage of a run's setup events, each applied once, with their op calls (the workers' runs start from it). */
export function setupCoverage(setup: readonly ModelEvent[]): CoverageTally {
  const tally = new CoverageTally();
  const w = emptyWorld();
  for (const e of setup) {
    const r = withOpCounts(() => applyEvent(w, e));
    tally.event(e.type, r.result.code, true);
    tally.calls(r.calls);
  }
  return tally;
}

/** The preemption bound of a run: 0 or 1 (more actors per event are not offered yet). */
export function checkPreemptions(n: number | undefined): number {
  const v = n ?? 0;
  if (v !== 0 && v !== 1) throw new DesignError(`preemptions must be 0 or 1, not ${n}`);
  return v;
}

/** The events from the root to a state, by its moves, each marked where it was interrupted; then `last`. */
export function pathTrace(root: World, setup: readonly ModelEvent[], moves: readonly number[], choicesOf: (w: World) => ModelEvent[], last?: SteppedEvent): SteppedEvent[] {
  let w = sealWorld(cloneWorld(root));
  const out: SteppedEvent[] = [...setup];
  for (const m of moves) {
    const r = applyMove(w, choicesOf(w), m);
    out.push(r.event);
    w = sealWorld(r.world);
  }
  if (last) out.push(last);
  return out;
}

/**
 * buildSetup, with a setup the design refuses turned into the run's result: a violation of
 * SETUP_REFUSED whose trace ends at the refused event (the design broke the scenario's premise).
 */
export function tryBuildSetup<Ctx>(s: Scenario<Ctx>, p: Params, variant = ''): ReturnType<typeof buildSetup<Ctx>> | { refused: ExploreResult } {
  // an unknown design is a usage error, not a setup the design refused.
  requireDesign(variant);
  try {
    return buildSetup(s, p, variant);
  } catch (err) {
    if (!(err instanceof SetupRefused)) throw err;
    const message = `setup event ${err.events.length} (${err.events.at(-1)!.type}) gave ${err.outcome.code}; the scenario needs it to succeed`;
    const v: FoundViolation = { property: SETUP_REFUSED, message, trace: [...err.events], setupLength: err.events.length };
    return { refused: { status: 'violation', states: 0, transitions: 0, maxDepth: 0, bytesPerState: 0, collisionProbability: 0, violations: [v], covers: [], deadlocks: 0 } };
  }
}

/** Runs an exploration to the end in this thread. */
export function explore<Ctx>(s: Scenario<Ctx>, p: Params, opts: ExploreOptions = {}): ExploreResult {
  const steps = exploreSteps(s, p, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs an exploration, giving the event loop a turn between slices (so SIGINT can be heard). */
export async function exploreAsync<Ctx>(s: Scenario<Ctx>, p: Params, opts: ExploreOptions = {}): Promise<ExploreResult> {
  const steps = exploreSteps(s, p, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The exploration as a generator that yields between slices of work; the result is its return value. */
export function* exploreSteps<Ctx>(s: Scenario<Ctx>, p: Params, opts: ExploreOptions = {}): Generator<void, ExploreResult, void> {
  const props: Property[] = s.properties.map((n) => {
    const prop = propertyNamed(n);
    if (!prop) throw new Error(`scenario ${s.name} names unknown property ${n}`);
    return prop;
  });
  const built = tryBuildSetup(s, p, opts.variant);
  if ('refused' in built) return built.refused;
  const { world: root, events: setupEvents, ctx } = built;
  const key = stateKeyFn(s, p, ctx, opts.symmetry === true) ?? fingerprint;
  const r0 = opts.resume;
  const preemptions = checkPreemptions(opts.preemptions);
  if (r0 && (r0.scenario !== s.name || JSON.stringify(r0.params) !== JSON.stringify(p) || r0.variant !== (opts.variant ?? '') || r0.symmetry !== (opts.symmetry === true) || r0.preemptions !== preemptions)) {
    throw new Error(`checkpoint is for ${r0.scenario} ${JSON.stringify(r0.params)} variant "${r0.variant}" with ${r0.preemptions} preemptions, not this run`);
  }
  const table = r0 ? StateTable.fromJSON(r0.table) : new StateTable();
  if (!r0) table.add(key(root), -1, 0, 0);
  // every state in the table had its invariants checked when it was found (the root by the setup's steps).
  const observe = preemptions > 0 ? deviceCheck(props) ?? (() => []) : undefined;
  const tally = opts.coverage && !r0 ? new CoverageTally() : undefined;
  const covers = s.covers.map((c, i) => ({ cover: c, hit: r0?.covers[i] ?? false }));
  // one expander for the run, its state-dependent fields set per state (a spread copy per state cost more than the state's bookkeeping).
  let parent: Ancestor | undefined;
  const x: { -readonly [K in keyof Expander]: Expander[K] } = {
    props, covers: s.covers, key, incremental: incrementalKeyFn(s, p, ctx, opts.symmetry === true), checked: (k: [number, number]) => table.has(k), observe, preemptions, countCalls: tally !== undefined,
    coverPending: (i: number) => !covers[i].hit, parentKey: () => (parent!.key ??= key(parent!.world)),
  };
  const design = requireDesign(opts.variant ?? '');
  const required = s.covers.map((c) => c.applies?.(p, design) ?? true);
  const now = opts.now ?? (() => 0);
  const started = now();
  let lastSave = started;
  const maxStates = opts.maxStates ?? Infinity;
  const maxDepth = opts.maxDepth ?? Infinity;
  let transitions = r0?.transitions ?? 0;
  let deepest = r0?.deepest ?? 0;
  let deadlocks = r0?.deadlocks ?? 0;
  let incomplete: ExploreResult['incompleteReason'] = r0?.incompleteDepth ? 'max-depth' : undefined;
  const snapshot = (next: number): Checkpoint => ({
    version: 4, scenario: s.name, params: p, variant: opts.variant ?? '', symmetry: opts.symmetry === true, preemptions,
    next, transitions, deepest, deadlocks, incompleteDepth: incomplete === 'max-depth',
    covers: covers.map((c) => c.hit), table: table.toJSON(),
  });
  const violations: FoundViolation[] = [];

  const ancestors = new AncestorCache<number>(
    () => cloneWorld(root),
    (id) => (id === 0 ? undefined : { parent: table.parentOf(id), move: table.choiceOf(id) }),
    (w) => s.choices(w, p, ctx),
  );
  const traceTo = (id: number, last: SteppedEvent): SteppedEvent[] => pathTrace(root, setupEvents, table.path(id), (w) => s.choices(w, p, ctx), last);

  // the setup's own steps are checked like any other, so a design broken before the choices begin
  // is reported at the first setup event that breaks it.
  const scratch = emptyWorld();
  for (let i = 0; i < setupEvents.length && violations.length === 0 && !r0; i++) {
    const event = setupEvents[i];
    const pre = notePre(scratch, props);
    const counted = tally ? withOpCounts(() => applyEvent(scratch, event)) : undefined;
    const outcome = counted ? counted.result : applyEvent(scratch, event);
    tally?.event(event.type, outcome.code, true);
    tally?.calls(counted?.calls);
    for (const v of checkProperties(scratch, props, { event, outcome, pre })) violations.push({ ...v, trace: setupEvents.slice(0, i + 1), setupLength: i + 1 });
  }

  let id = r0?.next ?? 0;
  // a violation reached through an interleaving waits for the end of its level: one with the same
  // number of events and no preemption, found later in the level, is the shorter counterexample.
  let interleaved: { violations: FoundViolation[]; level: number } | undefined;
  for (; id < table.size && violations.length === 0; id++) {
    if (interleaved && table.depthOf(id) !== interleaved.level) break;
    if ((id & 63) === 0) yield;
    const stop = opts.shouldStop?.();
    if (stop) {
      incomplete = stop;
      break;
    }
    if (opts.checkpoint && now() - lastSave >= opts.checkpoint.everyMs) {
      opts.checkpoint.save(snapshot(id));
      lastSave = now();
    }
    const depth = table.depthOf(id);
    if (depth >= maxDepth) {
      incomplete ??= 'max-depth';
      continue;
    }
    if (opts.timeLimitMs !== undefined && now() - started > opts.timeLimitMs) {
      incomplete = 'time-limit';
      break;
    }
    x.preemptions = interleaved ? 0 : preemptions;
    let anyOk = false;
    // violations found in this state's moves: traced once its expansion is over (a trace forks
    // worlds, and none may be forked while a move is applied in place).
    const broken: { event: SteppedEvent; found: readonly Violation[] }[] = [];
    let full = false;
    ancestors.expand(id, (a) => {
      const { choices } = a;
      parent = a;
      anyOk = choices.length === 0;
      expandState(a.world, choices, x, (move, succ) => {
        const { world: next, event, ok, key: nextKey, violations: found, covers: hits } = succ;
        transitions++;
        if (ok && move < choices.length) anyOk = true;
        for (let h = 0; h < hits.length; h++) covers[hits[h]].hit = true;
        if (tally) {
          tally.event(event.type, succ.code, found.length === 0 && !table.has(nextKey), event.step?.actor !== undefined);
          tally.calls(succ.calls);
        }
        if (found.length > 0) {
          broken.push({ event, found });
          if (!event.step?.actor) return false;
          x.preemptions = 0;
          return true;
        }
        const nid = table.add(nextKey, id, move, depth + 1);
        if (nid >= 0) {
          opts.observe?.(next);
          deepest = Math.max(deepest, depth + 1);
          if (table.size >= maxStates) {
            full = true;
            return false;
          }
        }
        return true;
      });
    });
    if (full) {
      incomplete = 'max-states';
      break;
    }
    for (const { event, found } of broken) {
      const trace = traceTo(id, event);
      const list = found.map((v) => ({ ...v, trace, setupLength: setupEvents.length }));
      if (event.step?.actor) interleaved ??= { violations: list, level: depth };
      else violations.push(...list);
    }
    if (violations.length > 0) break;
    if (!anyOk && opts.deadlock) deadlocks++;
    if (opts.onProgress && (id & 1023) === 0) opts.onProgress({ states: table.size, transitions, depth, queued: table.size - id });
  }
  if (violations.length === 0 && interleaved) {
    violations.push(...interleaved.violations);
    incomplete = undefined;
  }

  // a run that stopped early leaves a checkpoint to resume from.
  if (opts.checkpoint && violations.length === 0 && (incomplete === 'time-limit' || incomplete === 'max-memory' || incomplete === 'interrupted')) {
    opts.checkpoint.save(snapshot(id));
  }
  return exploreResult(table, {
    violations, incomplete, transitions, deepest, deadlocks,
    covers: covers.filter((_, i) => required[i]).map((c) => ({ name: c.cover.name, hit: c.hit })),
    coverage: tally?.toJSON(),
  });
}

/** The result record both explorers return. */
export function exploreResult(
  table: StateTable,
  r: { violations: FoundViolation[]; incomplete: ExploreResult['incompleteReason']; transitions: number; deepest: number; deadlocks: number; covers: ExploreResult['covers']; coverage?: Coverage },
): ExploreResult {
  return {
    status: r.violations.length ? 'violation' : r.incomplete ? 'incomplete' : 'pass',
    incompleteReason: r.violations.length ? undefined : r.incomplete,
    states: table.size,
    transitions: r.transitions,
    maxDepth: r.deepest,
    bytesPerState: table.bytesPerState(),
    collisionProbability: collisionProbability(table.size),
    violations: r.violations,
    covers: r.covers,
    deadlocks: r.deadlocks,
    ...(r.coverage ? { coverage: r.coverage } : {}),
  };
}


