/**
 * The reference scenario rpcit-shadow(G, I, L): distinct state counts must equal those of an
 * independent model of the same rules (the checker issue, and the bench's Promela and Murphi models):
 * (2,2,1) 1,700; (2,2,2) 2,500; (3,2,2) 19,208.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/check/explore.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';

describe('rpcit-shadow state counts', () => {
  // transitions as SPIN 6.5.2 counts them on the bench's Promela model of the same rules (BFS,
  // no reduction), less the one SPIN counts into the initial state.
  it.each([
    [2, 2, 1, 1700, 26_201 - 1],
    [2, 2, 2, 2500, undefined],
    [3, 2, 2, 19208, 397_881 - 1],
  ])('(%i,%i,%i) should have exactly %i distinct states and no violation', (G, I, L, states, transitions) => {
    const r = explore(rpcitShadow, { G, I, L });
    expect(r.status).toBe('pass');
    expect(r.states).toBe(states);
    if (transitions !== undefined) expect(r.transitions).toBe(transitions);
    expect(r.collisionProbability).toBeLessThan(1e-9);
    // the visited set's budget, once the run has outgrown the table's initial size.
    if (states > 4096) expect(r.bytesPerState).toBeLessThanOrEqual(16);
  }, 300_000);



  it('should stop cleanly as incomplete at a state bound', () => {
    const r = explore(rpcitShadow, { G: 2, I: 2, L: 1 }, { maxStates: 100 });
    expect(r.status).toBe('incomplete');
    expect(r.incompleteReason).toBe('max-states');
    expect(r.states).toBe(100);
  });
});
