/**
 * Random runs with shrinking: fast-check's model-based commands over a scenario's choices. Each
 * command picks the k-th choice of the current state (k modulo the number of choices), applies it
 * and checks every property; a failure is shrunk to a minimal sequence. Pure apart from the seed,
 * which the caller supplies.
 */
import fc from 'fast-check';
import type { ModelEvent } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { cloneWorld, type World } from '../model/world.js';
import { checkProperties, notePre, propertyNamed, type Violation } from '../../properties/index.js';
import { tryBuildSetup } from './explore.js';
import type { Params, Scenario } from './scenario.js';

export interface SimulateOptions {
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly variant?: string;
  /** Replays a reported failure: fast-check's counterexample path, then '@' and the commands' replay path. */
  readonly path?: string;
}

export interface SimulateResult {
  readonly failed: boolean;
  readonly runs: number;
  readonly seed: number;
  /** fast-check's replay path for the failure. */
  readonly path?: string;
  /** The shrunk failing run: setup plus the chosen events, replayable by vkm replay. */
  readonly trace?: ModelEvent[];
  readonly setupLength?: number;
  readonly violations?: Violation[];
}

/** The commands' replay path fast-check prints in a counterexample's description. */
function replayPathOf(counterexample: unknown): string {
  const m = /replayPath="([^"]*)"/.exec(String((counterexample as unknown[] | null)?.[0] ?? ''));
  return m ? m[1] : '';
}

class PropertyFailure extends Error {
  constructor(readonly violations: Violation[], readonly events: ModelEvent[]) {
    super(violations.map((v) => `${v.property}: ${v.message}`).join('; '));
  }
}

export function simulate<Ctx>(s: Scenario<Ctx>, p: Params, opts: SimulateOptions): SimulateResult {
  const props = s.properties.map((n) => propertyNamed(n)!);
  const built = tryBuildSetup(s, p, opts.variant);
  if ('refused' in built) {
    const v = built.refused.violations[0];
    return { failed: true, runs: 0, seed: opts.seed, trace: v.trace, setupLength: v.setupLength, violations: [{ property: v.property, message: v.message }] };
  }
  const { world: root, events: setup, ctx } = built;
  interface Real {
    world: World;
    events: ModelEvent[];
  }
  class Choose implements fc.Command<object, Real> {
    constructor(readonly k: number) {}
    check = () => true;
    run(_m: object, r: Real) {
      const choices = s.choices(r.world, p, ctx);
      if (choices.length === 0) return;
      const event = choices[this.k % choices.length];
      const pre = notePre(r.world, props);
      const outcome = applyEvent(r.world, event);
      r.events.push(event);
      const v = checkProperties(r.world, props, { event, outcome, pre });
      if (v.length) throw new PropertyFailure(v, [...r.events]);
    }
    toString = () => `choice ${this.k}`;
  }
  let last: PropertyFailure | undefined;
  const [runPath, replayPath] = opts.path === undefined ? [undefined, undefined] : opts.path.split('@');
  const commands = fc.commands([fc.nat({ max: 1 << 16 }).map((k) => new Choose(k))], { maxCommands: opts.steps, replayPath });
  const details = fc.check(
    fc.property(commands, (cmds) => {
      try {
        fc.modelRun(() => ({ model: {}, real: { world: cloneWorld(root), events: [] } }), cmds);
      } catch (err) {
        if (err instanceof PropertyFailure) last = err;
        throw err;
      }
    }),
    { seed: opts.seed, numRuns: opts.runs, path: runPath },
  );
  if (!details.failed) return { failed: false, runs: details.numRuns, seed: opts.seed };
  // the last failure recorded is the shrunk one: fast-check re-runs smaller cases until none fails.
  const failure = details.errorInstance instanceof PropertyFailure ? details.errorInstance : last;
  return {
    failed: true,
    runs: details.numRuns,
    seed: opts.seed,
    path: details.counterexamplePath === null ? undefined : `${details.counterexamplePath}@${replayPathOf(details.counterexample)}`,
    trace: failure ? [...setup, ...failure.events] : undefined,
    setupLength: setup.length,
    violations: failure?.violations,
  };
}
