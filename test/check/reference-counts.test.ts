/**
 * The reference scenario rpcit-shadow(G, I, L): distinct state counts must equal those of an
 * independent model of the same rules (the checker issue): (2,2,1) 1,700; (2,2,2) 2,500; (3,2,2) 19,208.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/check/explore.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';

describe('rpcit-shadow state counts', () => {
  it.each([
    [2, 2, 1, 1700],
    [2, 2, 2, 2500],
    [3, 2, 2, 19208],
  ])('(%i,%i,%i) should have exactly %i distinct states and no violation', (G, I, L, states) => {
    const r = explore(rpcitShadow, { G, I, L });
    expect(r.status).toBe('pass');
    expect(r.states).toBe(states);
    expect(r.collisionProbability).toBeLessThan(1e-9);
  }, 300_000);

  it('should stop cleanly as incomplete at a state bound', () => {
    const r = explore(rpcitShadow, { G: 2, I: 2, L: 1 }, { maxStates: 100 });
    expect(r.status).toBe('incomplete');
    expect(r.incompleteReason).toBe('max-states');
    expect(r.states).toBe(100);
  });
});
