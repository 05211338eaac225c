/**
 * One planted fault per design family, each in an operation no default run offered before the
 * breadth runs (a part-way MAP_DMA failure, an RPCIT over several pages, a KVM TCE table closed,
 * the shared stage-2 table given up, an SVA unbind), written through the public API: the default
 * runs that were there before pass it, and the family's default runs now find it.
 */
import { describe, expect, it } from 'vitest';
import { faultNamed, runCheck, DEFAULT_RUNS } from '../../src/index.js';
import '../../faults/index.js';

/** The default runs of each family as they were before the breadth runs. */
const BEFORE: Record<string, { scenario: string; params: Record<string, number>; variant?: string }[]> = {
  'type1-map-failure-keeps-pins': [{ scenario: 'type1-unmap', params: {} }],
  'kvm-shadow-refresh-first-page': [
    { scenario: 'rpcit-shadow', params: {} },
    { scenario: 'zpci-teardown', params: { A: 0 } },
    { scenario: 'kvm-domain-lent', params: {} },
  ],
  'spapr-close-table-keeps-charge': [{ scenario: 'liobn-binding', params: {}, variant: 'liobn-to-container' }],
  'stage2-stop-sharing-keeps-pins': [
    { scenario: 'stage2-shared', params: { S: 1 } },
    { scenario: 'stage2-shared', params: { S: 0 } },
  ],
  'sva-unbind-keeps-binding': [{ scenario: 'sva-pri', params: {} }],
};

describe('faults in operations the default runs did not offer before', () => {
  for (const [name, before] of Object.entries(BEFORE)) {
    it(`${name}: missed by the earlier runs, found by its family's default runs`, () => {
      const fault = faultNamed(name)!;
      expect(fault, name).toBeDefined();
      for (const b of before) {
        // the earlier runs, with the fault's design in place of theirs where it is the same family's.
        const r = runCheck({ scenario: b.scenario, params: b.params, variant: fault.design.name, expect: { verdict: 'pass' } });
        expect([r.scenario, r.verdict]).toEqual([b.scenario, 'pass']);
      }
      const runs = DEFAULT_RUNS.filter((r) => r.scenario === fault.scenario && !r.expect);
      expect(runs.length).toBeGreaterThan(0);
      const found = runs.map((r) => runCheck({ scenario: r.scenario, params: { ...r.params, ...fault.params }, variant: fault.design.name, expect: { verdict: 'violation', property: fault.property } }));
      expect(found.some((r) => r.asExpected), found.map((r) => `${r.scenario} ${JSON.stringify(r.params)}: ${r.verdict} ${r.result.violations.map((v) => v.property).join(',')}`).join('; ')).toBe(true);
    });
  }
});
