/**
 * Random paths through the built-in scenarios: each scenario's setup at its default parameters,
 * and the choices a list of picks selects from it (each pick taken modulo the state's choices).
 */
import type { ModelEvent } from '../../src/events/types.js';
import { buildSetup } from '../../src/check/explore.js';
import { resolveParams, type Params, type Scenario } from '../../src/check/scenario.js';
import { SCENARIOS } from '../../src/check/scenarios/index.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { cloneWorld } from '../../src/model/world.js';

export interface ScenarioRun {
  readonly s: Scenario<unknown>;
  readonly params: Params;
  readonly setup: ReturnType<typeof buildSetup<unknown>>;
}

/** A scenario set up under a design ('' for its own), its parameters resolved. */
export function scenarioRun(s: Scenario<unknown>, given: Params = {}, variant = ''): ScenarioRun {
  const params = resolveParams(s, given) as Params;
  return { s, params, setup: buildSetup(s, params, variant) };
}

/** Every built-in scenario at its default parameters. */
export function defaultRuns(): ScenarioRun[] {
  return SCENARIOS.map((s) => scenarioRun(s as Scenario<unknown>));
}

/** The events `picks` choose from a run's setup world, stopping where a state offers none. */
export function choicePath(run: ScenarioRun, picks: readonly number[]): ModelEvent[] {
  const scratch = cloneWorld(run.setup.world);
  const path: ModelEvent[] = [];
  for (const pick of picks) {
    const choices = run.s.choices(scratch, run.params, run.setup.ctx);
    if (choices.length === 0) break;
    const e = choices[pick % choices.length];
    path.push(e);
    applyEvent(scratch, e);
  }
  return path;
}
