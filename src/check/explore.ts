/**
 * The exhaustive explorer: breadth-first over every choice in every state, so the first violation
 * found has a shortest trace. Fingerprints and parent links are all it keeps per state; a state is
 * rebuilt by replaying its path from the setup. Every property is checked on every step; covers
 * are reported hit or never hit. Bounds end a run cleanly as incomplete. Pure: time comes from
 * the injected clock.
 */
import type { ModelEvent } from '../events/types.js';
import { applyEvent } from '../model/reduce.js';
import { cloneWorld, emptyWorld, type World } from '../model/world.js';
import { checkProperties, notePre, propertyNamed, type Property, type Violation } from '../../properties/index.js';
import { fingerprint } from './fingerprint.js';
import { expandChoice } from './expand.js';
import { stateKeyFn } from './state-key.js';
import type { Params, Scenario } from './scenario.js';
import { collisionProbability, StateTable } from './visited.js';

export interface ExploreOptions {
  /** A registered design variant to run the scenario under (injected into its host.boot). */
  readonly variant?: string;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  readonly symmetry?: boolean;
  /** Report a state in which every choice is refused. */
  readonly deadlock?: boolean;
  readonly now?: () => number;
  /** Called with every newly discovered state (tests use it to compare state keys). */
  readonly observe?: (w: World) => void;
  readonly onProgress?: (p: { states: number; transitions: number; depth: number; queued: number }) => void;
}

export interface FoundViolation extends Violation {
  /** Setup prefix plus the path to the violating step, as replayable events. */
  readonly trace: ModelEvent[];
  /** Index in `trace` where the explored part starts. */
  readonly setupLength: number;
}

export interface ExploreResult {
  readonly status: 'pass' | 'violation' | 'incomplete';
  readonly incompleteReason?: 'max-states' | 'max-depth' | 'time-limit';
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly bytesPerState: number;
  readonly collisionProbability: number;
  readonly violations: FoundViolation[];
  readonly covers: { name: string; hit: boolean }[];
  readonly deadlocks: number;
}

/** Runs the scenario's setup on a fresh world; returns the world and the events applied. */
export function buildSetup<Ctx>(s: Scenario<Ctx>, p: Params, variant = ''): { world: World; events: ModelEvent[]; ctx: Ctx } {
  const world = emptyWorld();
  const events: ModelEvent[] = [];
  const ctx = s.setup(
    p,
    (given, allowed = ['OK', 'CC0', 'CLP_RC_OK']) => {
      const e = given.type === 'host.boot' && variant ? { ...given, variant } : given;
      const out = applyEvent(world, e);
      if (!allowed.includes(out.code)) throw new Error(`scenario ${s.name}: setup event ${e.type} gave ${out.code}`);
      events.push(e);
      return out;
    },
    world,
  );
  return { world, events, ctx };
}

export function explore<Ctx>(s: Scenario<Ctx>, p: Params, opts: ExploreOptions = {}): ExploreResult {
  const props: Property[] = s.properties.map((n) => {
    const prop = propertyNamed(n);
    if (!prop) throw new Error(`scenario ${s.name} names unknown property ${n}`);
    return prop;
  });
  const { world: root, events: setupEvents, ctx } = buildSetup(s, p, opts.variant);
  const key = stateKeyFn(s, p, ctx, opts.symmetry === true) ?? fingerprint;
  const table = new StateTable();
  table.add(key(root), -1, 0, 0);
  const covers = s.covers.map((c) => ({ cover: c, hit: false }));
  const now = opts.now ?? (() => 0);
  const started = now();
  const maxStates = opts.maxStates ?? Infinity;
  const maxDepth = opts.maxDepth ?? Infinity;
  let transitions = 0;
  let deepest = 0;
  let deadlocks = 0;
  let incomplete: ExploreResult['incompleteReason'];
  const violations: FoundViolation[] = [];

  const rebuild = (id: number): World => {
    const w = cloneWorld(root);
    for (const c of table.path(id)) applyEvent(w, s.choices(w, p, ctx)[c]);
    return w;
  };
  const traceTo = (id: number, last: ModelEvent): ModelEvent[] => {
    const w = cloneWorld(root);
    const out = [...setupEvents];
    for (const c of table.path(id)) {
      const e = s.choices(w, p, ctx)[c];
      out.push(e);
      applyEvent(w, e);
    }
    out.push(last);
    return out;
  };

  // the setup's own steps are checked like any other, so a design broken before the choices begin
  // is reported at the first setup event that breaks it.
  const scratch = emptyWorld();
  for (let i = 0; i < setupEvents.length && violations.length === 0; i++) {
    const event = setupEvents[i];
    const pre = notePre(scratch, props);
    const outcome = applyEvent(scratch, event);
    for (const v of checkProperties(scratch, props, { event, outcome, pre })) violations.push({ ...v, trace: setupEvents.slice(0, i + 1), setupLength: i + 1 });
  }

  outer: for (let id = 0; id < table.size && violations.length === 0; id++) {
    const depth = table.depth[id];
    if (depth >= maxDepth) {
      incomplete ??= 'max-depth';
      continue;
    }
    if (opts.timeLimitMs !== undefined && now() - started > opts.timeLimitMs) {
      incomplete = 'time-limit';
      break;
    }
    const world = rebuild(id);
    const choices = s.choices(world, p, ctx);
    let anyOk = choices.length === 0;
    for (let c = 0; c < choices.length; c++) {
      const { world: next, event, ok, violations: found, covers: hits } = expandChoice(world, choices[c], props, s.covers);
      transitions++;
      if (ok) anyOk = true;
      for (const i of hits) covers[i].hit = true;
      if (found.length > 0) {
        const trace = traceTo(id, event);
        for (const v of found) violations.push({ ...v, trace, setupLength: setupEvents.length });
        break outer;
      }
      const nid = table.add(key(next), id, c, depth + 1);
      if (nid >= 0) {
        opts.observe?.(next);
        deepest = Math.max(deepest, depth + 1);
        if (table.size >= maxStates) {
          incomplete = 'max-states';
          break outer;
        }
      }
    }
    if (!anyOk && opts.deadlock) deadlocks++;
    if (opts.onProgress && (id & 1023) === 0) opts.onProgress({ states: table.size, transitions, depth, queued: table.size - id });
  }

  return exploreResult(table, { violations, incomplete, transitions, deepest, deadlocks, covers: covers.map((c) => ({ name: c.cover.name, hit: c.hit })) });
}

/** The result record both explorers return. */
export function exploreResult(
  table: StateTable,
  r: { violations: FoundViolation[]; incomplete: ExploreResult['incompleteReason']; transitions: number; deepest: number; deadlocks: number; covers: ExploreResult['covers'] },
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
  };
}


