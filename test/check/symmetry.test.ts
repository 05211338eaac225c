/**
 * Symmetry reduction over guest pages and IOVA pages must be exact: the orbit counts equal those
 * of an independent model (453, 663, 1,764), and the scenario's abstract key, from which orbits are
 * computed, is in one-to-one correspondence with the full-state fingerprints.
 */
import { describe, expect, it } from 'vitest';
import { fc, it as itProp } from '@fast-check/vitest';
import { buildSetup, explore } from '../../src/check/explore.js';
import { orbitText, rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';
import { permutations } from '../../src/check/permutations.js';
import { dataGpa, PTE_INVALID, pteWrite } from '../../src/check/scenarios/s390-guest.js';
import { sealWorld } from '../../src/kernel/seal.js';
import type { World } from '../../src/model/world.js';
import { hashValue } from '../../src/check/value-hash.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { cloneWorld } from '../../src/model/world.js';

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

  it.each([
    [2, 2, 2],
    [3, 2, 2],
    [2, 3, 1],
  ])('rpcit-shadow(%i,%i,%i): the orbit key should split every state reached exactly as trying every renaming does', (G, I, L) => {
    // the fast key (packed, memoised, searched in signature order) against the text form that
    // tries every renaming: both must put two states in one orbit or both in two.
    const p = { G, I, L };
    const { ctx } = buildSetup(rpcitShadow, p);
    const byKey = new Map<string, string>();
    const byText = new Map<string, string>();
    explore(rpcitShadow, p, {
      observe: (w) => {
        const k = hashValue(rpcitShadow.canonical!(w, p, ctx)).join(':');
        const t = orbitText(w, p, ctx);
        expect(byKey.get(k) ?? t).toBe(t);
        expect(byText.get(t) ?? k).toBe(k);
        byKey.set(k, t);
        byText.set(t, k);
      },
    });
    expect(byKey.size).toBe(byText.size);
  });

  it('should name one orbit per state class even when the guest writes raw entries', () => {
    const p = { G: 2, I: 2, L: 1 };
    const { world: root, ctx } = buildSetup(rpcitShadow, p);
    const key = (writes: [number, bigint][]) => {
      const w = cloneWorld(root);
      for (const [i, v] of writes) applyEvent(w, pteWrite(i, v));
      return hashValue(rpcitShadow.canonical!(w, p, ctx));
    };
    const raw = 0x12345n;
    // swapping the IOVA pages, or the guest pages, stays in the orbit; another raw value leaves it.
    expect(key([[0, raw], [1, dataGpa(0)]])).toEqual(key([[1, raw], [0, dataGpa(0)]]));
    expect(key([[0, raw], [1, dataGpa(0)]])).toEqual(key([[0, raw], [1, dataGpa(1)]]));
    expect(key([[0, raw], [1, dataGpa(0)]])).not.toEqual(key([[0, raw + 0x1000n], [1, dataGpa(0)]]));
    expect(key([[0, raw], [1, dataGpa(0)]])).not.toEqual(key([[0, dataGpa(1)], [1, dataGpa(0)]]));
    // and the numeric form used when no entry is raw keeps the same classes.
    expect(key([[0, dataGpa(1) | 0x200n], [1, dataGpa(0)]])).toEqual(key([[1, dataGpa(0) | 0x200n], [0, dataGpa(1)]]));
    expect(key([[0, dataGpa(1) | 0x200n], [1, dataGpa(0)]])).toEqual(key([[0, dataGpa(1)], [1, dataGpa(0) | 0x200n]]));
    expect(key([[0, dataGpa(1) | 0x200n], [1, dataGpa(0)]])).not.toEqual(key([[0, dataGpa(1) | 0x200n], [1, dataGpa(0) | 0x200n]]));
  });

  // a move of the scenario by what it does: write IOVA page i's entry (invalid, or guest page g
  // read-write or read-only), refresh IOVA page i, or migrate guest page g to its other frame.
  const move = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), i: fc.nat(), g: fc.integer({ min: -1, max: 5 }), ro: fc.boolean() }),
    fc.record({ kind: fc.constant('rpcit' as const), i: fc.nat() }),
    fc.record({ kind: fc.constant('migrate' as const), g: fc.nat() }),
  );
  type Move = typeof move extends fc.Arbitrary<infer M> ? M : never;

  // one state whose key needs the search through tied pages (found by a long run against a
  // build that tried one order per tie): random runs of this length seldom reach one.
  const tied: [[number, number, number], Move[], number, number] = [
    [4, 3, 3],
    [{ kind: 'write', i: 0, g: 1, ro: true }, { kind: 'write', i: 788081569, g: 0, ro: false }, { kind: 'rpcit', i: 28512439 }, { kind: 'write', i: 200052910, g: 2, ro: true }],
    0,
    0,
  ];

  // (6,6,1): a key too large to pack into one number stays a list.
  itProp.prop([fc.constantFrom<[number, number, number]>([2, 2, 1], [3, 2, 2], [3, 3, 2], [4, 3, 3], [6, 6, 1]), fc.array(move, { maxLength: 24 }), fc.nat(), fc.nat()], { numRuns: 300, examples: [tied] })(
    'should give a state and every renaming of its guest and IOVA pages the same orbit key',
    ([G, I, L], moves, gPerm, iPerm) => {
      const p = { G, I, L };
      const { world: root, ctx } = buildSetup(rpcitShadow, p);
      const pg = permutations(G)[gPerm % permutations(G).length];
      const pi = permutations(I)[iPerm % permutations(I).length];
      // the event of a move as the scenario offers it, in a world, under renamings of the pages.
      const eventOf = (w: World, m: Move, g: readonly number[], i: readonly number[]) => {
        const choices = rpcitShadow.choices(w, p, ctx);
        if (m.kind === 'write') return pteWrite(i[m.i % I], m.g < 0 ? PTE_INVALID : dataGpa(g[m.g % G]) | (m.ro ? 0x200n : 0n));
        if (m.kind === 'rpcit') return choices[I * (2 * G + 1) + i[m.i % I]];
        return choices[I * (2 * G + 1) + I + g[m.g % G]];
      };
      const same = Array.from({ length: Math.max(G, I) }, (_, k) => k);
      let w = sealWorld(cloneWorld(root));
      let renamed = sealWorld(cloneWorld(root));
      for (const m of moves) {
        const a = cloneWorld(w);
        const b = cloneWorld(renamed);
        const ra = applyEvent(a, eventOf(w, m, same, same));
        const rb = applyEvent(b, eventOf(renamed, m, pg, pi));
        // the rules do not tell pages apart: a move and its renaming end alike.
        expect(rb.code).toBe(ra.code);
        w = sealWorld(a);
        renamed = sealWorld(b);
        expect(hashValue(rpcitShadow.canonical!(renamed, p, ctx))).toEqual(hashValue(rpcitShadow.canonical!(w, p, ctx)));
      }
    },
  );

  it('should generate every permutation once', () => {
    const ps = permutations(4).map((p) => p.join(''));
    expect(ps.length).toBe(24);
    expect(new Set(ps).size).toBe(24);
  });
});
