/**
 * Preemption bounds: 0 is exactly the whole-event semantics (the counts every earlier release
 * had), 1 is what `vkm check` and `vkm mutants` run by default, with the same verdicts; worker
 * threads explore interleavings to the same counts and first violation as one thread.
 */
import { describe, expect, it } from 'vitest';
import { runCheck, runCheckParallel } from '../../src/check/run.js';
import { DEFAULT_RUNS } from '../../src/check/scenarios/index.js';
import { FAULTS } from '../../faults/index.js';

/** States and transitions of each default run with every event applied whole (the README's N=0 figures). */
const ATOMIC: Record<string, [number, number]> = {
  'rpcit-shadow {}': [1700, 26200],
  'rpcit-userspace {"G":1}': [207, 2214],
  'rpcit-ranges {"U":0}': [848, 11024],
  'rpcit-ranges {"U":1} s390-userspace': [3328, 43264],
  'type1-unmap {}': [223, 2453],
  'type1-lifecycle {}': [5488, 93296],
  'zpci-teardown {"A":0}': [528, 7920],
  'zpci-teardown {"A":1}': [432, 6480],
  'zpci-teardown {"U":1} s390-userspace': [640, 9600],
  'kvm-domain-lent {}': [5, 25],
  'kvm-domain-lent {"F":1} kvm-domain-lent-flag': [10, 30],
  'liobn-binding {} liobn-to-container': [434, 6076],
  'liobn-binding {} liobn-to-group': [119, 660],
  'spapr-lifecycle {"T":0}': [44, 396],
  'spapr-lifecycle {"T":1}': [440, 4400],
  'spapr-lifecycle {"T":2}': [352, 3520],
  'stage2-shared {"S":1}': [540, 8100],
  'stage2-shared {"S":1} stage2-shared-dirty-bits': [4230, 63450],
  'stage2-shared {"S":0}': [448, 6720],
  'stage2-lifecycle {"T":0}': [360, 3600],
  'stage2-lifecycle {"T":1}': [64, 640],
  'sva-pri {}': [313, 2504],
  'sva-lifecycle {}': [204, 2448],
};
const name = (r: (typeof DEFAULT_RUNS)[number]) => `${r.scenario} ${JSON.stringify(r.params)}${r.variant ? ' ' + r.variant : ''}`;

describe('preemptions', () => {
  it.each(DEFAULT_RUNS.map((r) => [name(r), r] as const))('%s: 0 gives the whole-event counts, 1 the same verdict', (n, r) => {
    const spec = { scenario: r.scenario, params: r.params, variant: r.variant, expect: r.expect };
    const atomic = runCheck(spec, { preemptions: 0 });
    expect([atomic.result.states, atomic.result.transitions]).toEqual(ATOMIC[n]);
    const stepped = runCheck(spec, { preemptions: 1 });
    expect([stepped.verdict, stepped.asExpected]).toEqual([atomic.verdict, true]);
    // every interleaving is one more edge, never fewer: the whole choices are still there.
    if (stepped.verdict === 'pass') expect(stepped.result.transitions).toBeGreaterThanOrEqual(atomic.result.transitions);
  });

  it.each(FAULTS.map((f) => [f.design.name, f] as const))('%s should still be found with one preemption', (_n, f) => {
    const r = runCheck({ scenario: f.scenario, params: f.params ?? {}, variant: f.design.name, expect: { verdict: 'violation', property: f.property } }, { preemptions: 1 });
    expect(r.asExpected).toBe(true);
  });

  it('should explore interleavings with worker threads to the same counts and first violation', async () => {
    // a pass; a violation of a whole choice; one only an interleaving reaches (a vCPU writes during the RPCIT).
    for (const spec of [{ scenario: 'type1-unmap', params: {} }, { scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-before-unmap' }, { scenario: 'rpcit-shadow', params: {}, variant: 'kvm-leak-on-invalidate' }]) {
      const one = runCheck(spec, { preemptions: 1 });
      const two = await runCheckParallel(spec, 2, { preemptions: 1 });
      expect([two.verdict, two.result.states, two.result.transitions]).toEqual([one.verdict, one.result.states, one.result.transitions]);
      expect(two.result.violations.map((v) => [v.message, v.trace.length])).toEqual(one.result.violations.map((v) => [v.message, v.trace.length]));
      expect(two.result.violations[0]?.trace.at(-1)).toEqual(one.result.violations[0]?.trace.at(-1));
    }
  });
});

describe('the order of counterexamples', () => {
  it('should prefer, among the shortest, one with no actor inside', () => {
    // kvm-leak-on-invalidate is first reached with another vCPU's write inside an RPCIT; no
    // 3-event counterexample without one exists, so the interleaved one stands.
    const r = runCheck({ scenario: 'rpcit-shadow', params: {}, variant: 'kvm-leak-on-invalidate' }, { preemptions: 1 });
    const v = r.result.violations[0];
    expect(v.trace.slice(v.setupLength).map((e) => (e as { step?: { actor?: { type: string } } }).step?.actor?.type ?? e.type)).toEqual(['guest.mem.write', 'guest.mem.write', 'guest.s390.rpcit']);
    // type1-unpin-before-unmap is found at a step point of a whole unmap, with no actor.
    const t = runCheck({ scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-before-unmap' }, { preemptions: 1 });
    expect(t.result.violations[0].trace.at(-1)).toMatchObject({ type: 'vmm.vfio.dma.unmap', step: { point: 'vfio_iommu_type1.unpin_pages_remote: unpin' } });
    expect((t.result.violations[0].trace.at(-1) as { step?: { actor?: unknown } }).step?.actor).toBeUndefined();
  });
});
