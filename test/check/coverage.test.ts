/**
 * Action coverage: the counts add up (every offer succeeds or is refused; at one preemption-free
 * level every transition is one offer), worker threads count what one thread counts, and the
 * default runs leave no gap in any design family: every event of its vocabulary offered and seen
 * to succeed, every op it is built from called. An event type or op added without a default run
 * that exercises it fails here.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/events/types.js';
import { REFERENCE_OPS } from '../../src/designs/reference.js';
import { FAMILIES, familyOf } from '../../src/check/families.js';
import { DEFAULT_RUNS, scenarioNamed } from '../../src/check/scenarios/index.js';
import { runCheck, runCheckParallel } from '../../src/check/run.js';
import { vocabularyGaps } from '../../src/export/coverage.js';

const ALL_OPS = Object.entries(REFERENCE_OPS).flatMap(([t, ops]) => Object.keys(ops).map((o) => `${t}.${o}`));

describe('design families', () => {
  it('should give every event type and every op of the reference design a family, and name only real ones', () => {
    const vocab = new Set(FAMILIES.flatMap((f) => f.vocabulary));
    expect(EVENT_TYPES.filter((t) => !vocab.has(t))).toEqual([]);
    const ops = new Set(FAMILIES.flatMap((f) => f.ops));
    expect(ALL_OPS.filter((o) => !ops.has(o))).toEqual([]);
    expect([...ops].filter((o) => !ALL_OPS.includes(o))).toEqual([]);
  });

  it('should place every default run in a family whose scenarios exist', () => {
    for (const r of DEFAULT_RUNS) expect(familyOf(r.scenario), r.scenario).toBeDefined();
    for (const f of FAMILIES) for (const s of f.scenarios) expect(scenarioNamed(s), s).toBeDefined();
  });
});

describe('coverage of the default runs', () => {
  const records = DEFAULT_RUNS.map((r) => runCheck({ scenario: r.scenario, params: r.params, variant: r.variant, expect: r.expect }, { coverage: true }));

  it('should leave no gap in any family', () => {
    const gaps = FAMILIES.map((f) => vocabularyGaps(f, records.filter((r) => familyOf(r.scenario) === f).map((r) => r.result.coverage!)));
    expect(gaps.filter((g) => g.neverOffered.length + g.neverSucceeded.length + g.opsNeverCalled.length > 0)).toEqual([]);
  });

  it("should report a gap when a family's runs leave an event or an op out", () => {
    const sva = FAMILIES.find((f) => f.name === 'sva')!;
    // the earlier sva runs alone: sva-pri never unbinds or closes anything.
    const only = records.filter((r) => r.scenario === 'sva-pri').map((r) => r.result.coverage!);
    const g = vocabularyGaps(sva, only);
    expect(g.neverOffered).toEqual(expect.arrayContaining(['vmm.vfio.device.unbind_sva', 'vmm.vfio.device.close', 'vmm.vfio.container.close']));
    expect(g.opsNeverCalled).toEqual(expect.arrayContaining(['sva.unbind', 'vfio.container_close']));
    expect(g.neverSucceeded).toEqual([]);
  });

  it('should count every offer once: succeeded or refused, and one per transition without preemptions', () => {
    for (const r of records) {
      const c = r.result.coverage!;
      let offered = 0;
      for (const e of Object.values(c.events)) {
        expect(e.ok + Object.values(e.refused).reduce((a, b) => a + b, 0)).toBe(e.offered);
        expect(e.interleaved).toBe(0);
        offered += e.offered;
      }
      // setup events are offered once each and each makes the state; every other offer is one
      // transition, and each state after the setup was first reached by exactly one of them.
      const setup = offered - r.result.transitions;
      expect(setup, r.scenario).toBeGreaterThan(0);
      const fresh = Object.values(c.events).reduce((a, e) => a + e.newStates, 0);
      if (r.verdict === 'pass') expect(fresh, `${r.scenario} ${JSON.stringify(r.params)}`).toBe(setup + r.result.states - 1);
    }
  });

  it('should count the same with worker threads as in one thread', async () => {
    const spec = { scenario: 'spapr-lifecycle', params: { T: 1 } };
    const one = runCheck(spec, { coverage: true, preemptions: 1 });
    const two = await runCheckParallel(spec, 2, { coverage: true, preemptions: 1 });
    expect(two.result.transitions).toBe(one.result.transitions);
    expect(two.result.coverage).toEqual(one.result.coverage);
  });
});
