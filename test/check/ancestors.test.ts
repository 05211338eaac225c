import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { AncestorCache, type Step } from '../../src/check/ancestors.js';
import { applyMove } from '../../src/check/moves.js';
import { fingerprint } from '../../src/check/fingerprint.js';
import { sealWorld } from '../../src/kernel/seal.js';
import { digest } from '../../src/model/digest.js';
import { cloneWorld, type World } from '../../src/model/world.js';
import { defaultRuns } from '../support/scenario-paths.js';

const scenarios = defaultRuns();

/** States named by their paths of move indices from the setup, as the workers name them. */
function cacheOf(run: (typeof scenarios)[number], size: number): AncestorCache<string> {
  return new AncestorCache<string>(
    () => cloneWorld(run.setup.world),
    (k): Step<string> | undefined => {
      if (k === '') return undefined;
      const cut = k.lastIndexOf(',');
      return { parent: cut < 0 ? '' : k.slice(0, cut), move: Number(k.slice(cut + 1)) };
    },
    (w) => run.s.choices(w, run.params, run.setup.ctx),
    size,
  );
}

/** The state at the end of `path`, forked move by move from the setup. */
function forked(run: (typeof scenarios)[number], path: readonly number[]): World {
  let w = sealWorld(cloneWorld(run.setup.world));
  for (const m of path) w = sealWorld(applyMove(w, run.s.choices(w, run.params, run.setup.ctx), m).world);
  return w;
}

describe('states to expand', () => {
  it.prop([fc.nat({ max: scenarios.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 6 })], { numRuns: 80 })(
    'should be the state its path names, whether its parent, its grandparent or neither is kept, and leave what is kept as it was',
    (which, picks, order) => {
      const run = scenarios[which];
      // a path of moves that exist: each pick taken modulo the state's choices.
      const path: number[] = [];
      let w = sealWorld(cloneWorld(run.setup.world));
      for (const p of picks) {
        const choices = run.s.choices(w, run.params, run.setup.ctx);
        if (choices.length === 0) break;
        path.push(p % choices.length);
        w = sealWorld(applyMove(w, choices, path.at(-1)!).world);
      }
      const cache = cacheOf(run, 4);
      // expand the path's states in an order that keeps some ancestors and not others.
      for (const o of order) {
        const end = Math.min(path.length, 1 + (o % path.length));
        const want = forked(run, path.slice(0, end));
        cache.expand(path.slice(0, end).join(','), (a) => {
          expect(digest(a.world)).toBe(digest(want));
          expect(fingerprint(a.world)).toEqual(fingerprint(want));
          expect(a.choices).toEqual(run.s.choices(want, run.params, run.setup.ctx));
        });
        // every ancestor is as it was, kept or built now (which keeps it for the next expansions):
        // the moves applied in place were undone.
        for (let i = 0; i < end; i++) expect(digest(cache.get(path.slice(0, i).join(',')).world), `ancestor ${i}`).toBe(digest(forked(run, path.slice(0, i))));
      }
    },
  );

  it('should expand a state in place on its kept parent, else on its kept grandparent, without forking the parent', () => {
    const run = scenarios.find((r) => r.s.name === 'rpcit-shadow')!;
    const cache = cacheOf(run, 64);
    const grandparent = cache.get('0').world;
    let seen: World | undefined;
    const look = (a: { world: World }) => {
      seen = a.world;
    };
    cache.expand('0,1,2', look);
    expect(seen).toBe(grandparent);
    const parent = cache.get('0,1').world;
    cache.expand('0,1,2', look);
    expect(seen).toBe(parent);
  });
});
