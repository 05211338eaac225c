/** Multi-worker exploration must give the same counts and the same counterexamples as one worker. */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/check/explore.js';
import { exploreParallel } from '../../src/check/parallel.js';
import { scenarioNamed } from '../../src/check/scenarios/index.js';
import '../../faults/index.js';

const s = scenarioNamed('rpcit-shadow')!;

describe('worker threads', () => {
  it.each([
    [{ G: 2, I: 2, L: 1 }, false],
    [{ G: 2, I: 2, L: 2 }, true],
  ])('should find the same states and transitions as one worker for %o (symmetry %s)', async (p, symmetry) => {
    const one = explore(s, p, { symmetry });
    const two = await exploreParallel(s, p, 2, { symmetry });
    expect([two.status, two.states, two.transitions, two.maxDepth]).toEqual([one.status, one.states, one.transitions, one.maxDepth]);
    expect(two.covers).toEqual(one.covers);
  });

  it('should find the same first violation with the same trace', async () => {
    const p = { G: 2, I: 2, L: 1 };
    const one = explore(s, p, { variant: 'kvm-leak-on-invalidate' });
    const two = await exploreParallel(s, p, 2, { variant: 'kvm-leak-on-invalidate' });
    expect(two.status).toBe('violation');
    expect(two.states).toBe(one.states);
    expect(two.violations.map((v) => v.message)).toEqual(one.violations.map((v) => v.message));
    expect(two.violations[0].trace).toEqual(one.violations[0].trace);
  });
});
