/**
 * The refusal table (src/events/refusals.ts) against the model: no event is ever refused with a
 * code its row does not list (the default runs' own refusals, and random walks through every
 * default run with events of every type aimed at its world), and every listed code is reached by
 * a default run of `vkm check` or by a bundled log under examples/.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFUSALS } from '../../src/events/refusals.js';
import { eventPages } from '../../src/kernel/limits.js';
import { EVENT_SCHEMA } from '../../src/events/schema.js';
import { EVENT_TYPES } from '../../src/events/types.js';
import { DEFAULT_RUNS, scenarioNamed } from '../../src/check/scenarios/index.js';
import { buildSetup } from '../../src/check/explore.js';
import { resolveParams } from '../../src/check/scenario.js';
import { runCheck } from '../../src/check/run.js';
import { mergeCoverage } from '../../src/check/coverage.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { cloneWorld } from '../../src/model/world.js';
import { MODEL_ONLY_CODES, SUCCESS_CODES } from '../../src/model/codes.js';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';
import { anyAimedEvent, numbersOf } from '../support/scenario-events.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');

function logFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'violations' ? [] : logFiles(p);
    return f.endsWith('.jsonl') ? [p] : [];
  });
}

/** Every refusal reached: by type, the codes, with where. */
function reached(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (t: string, c: string) => {
    if (!SUCCESS_CODES.has(c)) out.set(t, (out.get(t) ?? new Set()).add(c));
  };
  const runs = DEFAULT_RUNS.map((r) => runCheck({ scenario: r.scenario, params: r.params, variant: r.variant, expect: r.expect }, { coverage: true }).result.coverage!);
  for (const [t, e] of Object.entries(mergeCoverage(runs).events)) for (const c of Object.keys(e.refused)) add(t, c);
  for (const file of logFiles(EXAMPLES)) {
    const log = readLog(readFileSync(file, 'utf8'), file);
    if (!log.ok) throw log.error;
    for (const s of replay(log.entries).steps) add(s.type, s.outcome.code);
  }
  return out;
}

describe('the refusal table', () => {
  it('should have a row for every event type', () => {
    expect(Object.keys(REFUSALS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  const seen = reached();

  it('should list every refusal the default runs and the bundled logs reach', () => {
    // the model's own codes (a scenario re-creating a live id, an event over the work bound) are no kernel's: no row lists them.
    const undeclared = [...seen].flatMap(([t, cs]) => [...cs].filter((c) => !MODEL_ONLY_CODES.has(c) && !(REFUSALS as Record<string, readonly string[]>)[t].includes(c)).map((c) => `${t} ${c}`));
    expect(undeclared).toEqual([]);
  });

  it('should see every listed refusal reached by a default run or a bundled log', () => {
    const missing = EVENT_TYPES.flatMap((t) => REFUSALS[t].filter((c) => !seen.get(t)?.has(c)).map((c) => `${t} ${c}`));
    expect(missing).toEqual([]);
  });

  it('should never see an event refused with a code its row does not list, on random walks with aimed events', () => {
    for (const run of DEFAULT_RUNS) {
      const s = scenarioNamed(run.scenario)!;
      const p = resolveParams(s, run.params) as Record<string, number>;
      const { world, ctx } = buildSetup(s, p, run.variant);
      const nums = numbersOf(s.choices(world, p, ctx));
      // the events depend on the walk's world, drawn from seeds: a failure is reported as found, unshrunk.
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 10 }), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), (walk, seeds) => {
          const w = cloneWorld(world);
          for (const k of walk) {
            const ch = s.choices(w, p, ctx);
            applyEvent(w, ch[k % ch.length]);
          }
          for (const seed of seeds) {
            const e = fc.sample(anyAimedEvent(w, nums), { seed, numRuns: 1 })[0];
            const code = applyEvent(w, e).code;
            if (code === 'ID_IN_USE') expect(Object.values(EVENT_SCHEMA[e.type]).some((f) => f.kind === 'create'), `${e.type} answered ID_IN_USE`).toBe(true);
            else if (code === 'OVER_LIMIT') expect(eventPages(w, e), `${e.type} answered OVER_LIMIT`).toBeGreaterThan(w.pageLimit);
            else if (!SUCCESS_CODES.has(code)) expect(REFUSALS[e.type], `${run.scenario}: ${e.type} refused with ${code}`).toContain(code);
          }
        }),
        { numRuns: 80, endOnFailure: true },
      );
    }
  });
});
