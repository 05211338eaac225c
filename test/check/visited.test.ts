import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { collisionProbability, StateTable } from '../../src/check/visited.js';

describe('StateTable', () => {
  it.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })), { maxLength: 3000 })])(
    'should hold each distinct fingerprint exactly once, across growth, the all-zero one included',
    (fps) => {
      const t = new StateTable(4);
      const distinct = new Set<string>();
      for (const [h, l] of fps) {
        const fresh = !distinct.has(`${h},${l}`);
        distinct.add(`${h},${l}`);
        expect(t.add([h * 0x10001, l * 0x3b9aca07], 0, 0, 0) >= 0).toBe(fresh);
      }
      expect(t.size).toBe(distinct.size);
    },
  );

  it.prop([fc.integer({ min: 4000, max: 120_000 })], { numRuns: 15 })('should hold a state in at most 31.3 bytes once it outgrows its initial size', (n) => {
    const t = new StateTable();
    for (let i = 1; i <= n; i++) t.add([Math.imul(i, 0x9e3779b1) >>> 0, i], i - 1, 0, 0);
    expect(t.size).toBe(n);
    expect(t.bytesPerState()).toBeLessThanOrEqual(31.34);
  });

  it('should rebuild paths from parent links', () => {
    const t = new StateTable();
    t.add([1, 1], -1, 0, 0);
    t.add([2, 2], 0, 5, 1);
    t.add([3, 3], 1, 7, 2);
    expect(t.path(2)).toEqual([5, 7]);
  });

  it('should estimate collision probability by the birthday bound', () => {
    expect(collisionProbability(1)).toBe(0);
    expect(collisionProbability(1e6)).toBeCloseTo(2.7e-8, 9);
  });
});
