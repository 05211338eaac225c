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

  it.prop([fc.integer({ min: 4000, max: 120_000 }), fc.boolean()], { numRuns: 15 })('should hold a state in at most 16 bytes once it outgrows its initial size', (n, wideMoves) => {
    const t = new StateTable();
    // a breadth-first shape: each state the parent of about one, moves of one byte or of two.
    for (let i = 1; i <= n; i++) t.add([Math.imul(i, 0x9e3779b1) >>> 0, i], i >> 1, wideMoves ? 300 + (i % 5000) : i % 30, Math.floor(Math.log2(i)));
    expect(t.size).toBe(n);
    expect(t.bytesPerState()).toBeLessThanOrEqual(16);
  });

  /** States in breadth-first order: parents never decrease, nor do depths; some parents far back, some moves wide. */
  const bfsShape = fc.array(fc.record({ back: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 5000 })), move: fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: 0x1ffff })), deeper: fc.boolean() }), { maxLength: 2500 });

  it.prop([bfsShape])('should give back every state\'s parent, move and depth, and keep them through a checkpoint', (steps) => {
    const t = new StateTable(4);
    t.add([7, 7], -1, 0, 0);
    const want = [{ parent: -1, move: 0, depth: 0 }];
    let parent = 0;
    let depth = 0;
    steps.forEach((s, k) => {
      // a parent step of any size forward (the byte steps and the far ones), never back.
      parent = Math.min(k, parent + (s.back % 300));
      depth = Math.max(depth, want[parent].depth + 1);
      if (s.deeper) depth++;
      expect(t.add([k + 1, Math.imul(k + 11, 0x2545f491) >>> 0], parent, s.move, depth)).toBe(k + 1);
      want.push({ parent, move: s.move, depth });
    });
    const back = StateTable.fromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    for (const table of [t, back]) {
      expect(table.size).toBe(want.length);
      want.forEach((w, id) => {
        expect(table.parentOf(id)).toBe(w.parent);
        if (id > 0) expect(table.choiceOf(id)).toBe(w.move);
        expect(table.depthOf(id)).toBe(w.depth);
      });
      expect(table.has([7, 7])).toBe(true);
      expect(table.has([steps.length + 5, 1])).toBe(false);
    }
  });

  it('should refuse a state shallower than the last one added', () => {
    const t = new StateTable();
    t.add([1, 1], -1, 0, 0);
    t.add([2, 2], 0, 0, 1);
    expect(() => t.add([3, 3], 0, 0, 0)).toThrow(/breadth-first/);
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
