/**
 * Symmetry reduction over guest pages and IOVA pages must be exact: the orbit counts equal those
 * of an independent model (453, 663, 1,764), and the scenario's abstract key, from which orbits are
 * computed, is in one-to-one correspondence with the full-state fingerprints.
 */
import { describe, expect, it } from 'vitest';
import { buildSetup, explore } from '../../src/check/explore.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';
import { permutations } from '../../src/check/permutations.js';

describe('symmetry reduction', () => {
  it.each([
    [2, 2, 1, 453],
    [2, 2, 2, 663],
    [3, 2, 2, 1764],
  ])('rpcit-shadow(%i,%i,%i) should keep exactly %i orbits', (G, I, L, orbits) => {
    const r = explore(rpcitShadow, { G, I, L }, { symmetry: true });
    expect(r.status).toBe('pass');
    expect(r.states).toBe(orbits);
  });

  it.each([
    [2, 2, 1],
    [2, 2, 2],
  ])('rpcit-shadow(%i,%i,%i): the abstract key should name each full state exactly once', (G, I, L) => {
    const p = { G, I, L };
    const { world: root, ctx } = buildSetup(rpcitShadow, p);
    const keys = new Set<string>([rpcitShadow.abstract!(root, p, ctx)]);
    let states = 1;
    const r = explore(rpcitShadow, p, {
      observe: (w) => {
        states++;
        keys.add(rpcitShadow.abstract!(w, p, ctx));
      },
    });
    expect(keys.size).toBe(r.states);
    expect(states).toBe(r.states);
  });

  it('should generate every permutation once', () => {
    const ps = permutations(4).map((p) => p.join(''));
    expect(ps.length).toBe(24);
    expect(new Set(ps).size).toBe(24);
  });
});
