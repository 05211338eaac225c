/**
 * The orbit key kept up with moves applied in place (canonicalBase, canonicalAfter) must equal
 * the orbit key read whole, for every move of every state a path reaches: entries written raw,
 * pages migrated, refreshes that pin and replace, DMA reads.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { buildSetup } from '../../src/check/explore.js';
import { successorsOf } from '../../src/check/expand.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';
import { pteWrite } from '../../src/check/scenarios/s390-guest.js';
import { incrementalKeyFn, stateKeyFn } from '../../src/check/state-key.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { sealWorld } from '../../src/kernel/seal.js';
import { cloneWorld } from '../../src/model/world.js';

describe('incremental orbit key', () => {
  // a step of the path: one of the state's choices, or a guest write of bits no choice writes.
  const step = fc.oneof(
    { weight: 4, arbitrary: fc.record({ choice: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ i: fc.nat(), raw: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
  );

  it.prop([fc.constantFrom<[number, number, number]>([2, 2, 1], [3, 2, 2], [3, 3, 2], [4, 3, 3]), fc.array(step, { maxLength: 16 })], { numRuns: 120 })(
    'should key every successor as the whole orbit key does',
    ([G, I, L], path) => {
      const p = { G, I, L };
      const { world: root, ctx } = buildSetup(rpcitShadow, p);
      const key = stateKeyFn(rpcitShadow, p, ctx, true)!;
      const incremental = incrementalKeyFn(rpcitShadow, p, ctx, true);
      expect(incremental).toBeDefined();
      let w = sealWorld(cloneWorld(root));
      for (const s of path) {
        const choices = rpcitShadow.choices(w, p, ctx);
        const succs = successorsOf(w, choices, { props: [], covers: [], key, incremental });
        expect(succs.length).toBe(choices.length);
        // each successor keyed incrementally (in place), then rebuilt and keyed whole.
        for (const { id, succ } of succs) {
          const whole = cloneWorld(w);
          applyEvent(whole, choices[id]);
          expect(succ.key, `${choices[id].type} #${id}`).toEqual(key(whole));
        }
        const next = cloneWorld(w);
        applyEvent(next, 'raw' in s ? pteWrite(s.i % I, s.raw) : choices[s.choice % choices.length]);
        w = sealWorld(next);
      }
    },
  );

});
