/**
 * One check run as data: scenario, variant and parameters in; the explorer's result and how it
 * compares with the expected verdict out. The CLI renders these records as text, JSON or JUnit.
 */
import { eventToJson, stepToJson } from '../events/serialize.js';
import { applyStepped, type SteppedEvent } from '../kernel/stepped.js';
import type { Outcome } from '../model/outcome.js';
import type { Expectation } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { chainLines } from '../log/chain.js';
import { emptyWorld } from '../model/world.js';
import { explore, exploreAsync, type Checkpoint, type ExploreOptions, type ExploreResult } from './explore.js';
import { resolveParams, type Params, type Verdict } from './scenario.js';
import { scenarioNamed } from './scenarios/index.js';

export interface RunSpec {
  readonly scenario: string;
  readonly params: Params;
  readonly variant?: string;
  /** Overrides the scenario's own expectation (a seeded fault expects its property to break). */
  readonly expect?: Verdict;
  /** Continue from a checkpoint of this spec. */
  readonly resume?: Checkpoint;
}

export interface RunRecord {
  readonly scenario: string;
  /** The design asked for ('' when the scenario's own design ran). */
  readonly variant: string;
  /** The design that ran: the one asked for, else the scenario's. */
  readonly design: string;
  readonly params: Params;
  readonly expected: Verdict;
  /** 'pass' | 'violation' | 'incomplete', as found. */
  readonly verdict: ExploreResult['status'];
  /** Whether the verdict is the expected one. */
  readonly asExpected: boolean;
  readonly durationMs: number;
  readonly result: ExploreResult;
}

/** Runs one spec on `workers` threads (1: in this thread). */
export async function runCheckParallel(spec: RunSpec, workers: number, opts: ExploreOptions = {}): Promise<RunRecord> {
  if (workers <= 1) return runCheck(spec, opts, (s, p, o) => exploreAsync(s, p, o));
  const { exploreParallel } = await import('./parallel.js');
  return runCheck(spec, opts, (s, p, o) => exploreParallel(s, p, workers, o));
}

type Explorer = (s: Parameters<typeof explore>[0], p: Params, o: ExploreOptions) => ExploreResult | Promise<ExploreResult>;

/** Runs one spec; throws only for a spec that names no scenario or bad parameters (usage errors). */
export function runCheck(spec: RunSpec, opts?: ExploreOptions): RunRecord;
export function runCheck(spec: RunSpec, opts: ExploreOptions, explorer: Explorer): Promise<RunRecord>;
export function runCheck(spec: RunSpec, opts: ExploreOptions = {}, explorer?: Explorer): RunRecord | Promise<RunRecord> {
  const scenario = scenarioNamed(spec.scenario);
  if (!scenario) throw new Error(`unknown scenario "${spec.scenario}"`);
  const params = resolveParams(scenario, spec.params);
  if (typeof params === 'string') throw new Error(params);
  const now = opts.now ?? (() => 0);
  const started = now();
  const design = spec.variant || scenario.design;
  const finish = (result: ExploreResult): RunRecord => record(spec, design, scenario.expect, params, result, now() - started);
  if (explorer) return Promise.resolve(explorer(scenario, params, { ...opts, variant: design })).then(finish);
  return finish(explore(scenario, params, { ...opts, variant: design }));
}

function record(spec: RunSpec, design: string, scenarioExpect: Verdict, params: Params, result: ExploreResult, durationMs: number): RunRecord {
  const expected = spec.expect ?? scenarioExpect;
  const uncoveredOk = result.covers.every((c) => c.hit) || result.status !== 'pass';
  const asExpected =
    result.status !== 'incomplete' &&
    (expected.verdict === 'pass'
      ? result.status === 'pass' && uncoveredOk
      : result.status === 'violation' && result.violations.some((v) => v.property === expected.property));
  return { scenario: spec.scenario, variant: spec.variant ?? '', design, params, expected, verdict: result.status, asExpected, durationMs, result };
}

/** A counterexample as hash-chained JSONL lines that `vkm replay` reproduces, each with the outcome it produced. */
export function counterexampleLines(trace: readonly SteppedEvent[]): string[] {
  const w = emptyWorld();
  const expectOf = (o: Outcome): Expectation => ({ code: o.code, ...(o.value !== undefined ? { value: o.value } : {}) });
  return chainLines(
    trace.map((e) => {
      if (!e.step) return eventToJson(e, expectOf(applyEvent(w, e)));
      // an interleaving: the actor's event runs at the step point, and says what it gave there.
      const actor = e.step.actor;
      const run = applyStepped(w, e, { inject: actor && { at: e.step.at, actor } });
      const step = { ...e.step, ...(run.actorOutcome ? { actorExpect: expectOf(run.actorOutcome) } : {}) };
      return { ...eventToJson(e, expectOf(run.outcome)), step: stepToJson(step) };
    }),
  );
}
