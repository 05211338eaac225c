import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { allocFrame, claimFrame, clonePool, emptyPool, FIRST_PFN, frameForRead, frameForWrite, freeFrame } from '../../src/memory/frames.js';

describe('frame pool', () => {
  it('should reuse the lowest freed frame first and zero freed frames', () => {
    const p = emptyPool();
    const [a, b, c] = [allocFrame(p, 'x'), allocFrame(p, 'x'), allocFrame(p, 'x')];
    expect([a, b, c]).toEqual([FIRST_PFN, FIRST_PFN + 1, FIRST_PFN + 2]);
    frameForWrite(p, b)[7] = 9;
    freeFrame(p, c);
    freeFrame(p, b);
    expect(allocFrame(p, 'y')).toBe(b);
    expect(frameForRead(p, b)[7]).toBe(0);
    expect(allocFrame(p, 'y')).toBe(c);
  });

  it('should claim a specific free frame and refuse a used one', () => {
    const p = emptyPool();
    const a = allocFrame(p, 'x');
    expect(claimFrame(p, a, 'y')).toBe(false);
    expect(claimFrame(p, FIRST_PFN + 5, 'y')).toBe(true);
    // frames skipped over by the claim become free, lowest first.
    expect(allocFrame(p, 'z')).toBe(FIRST_PFN + 1);
  });

  it.prop([fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 1, max: 255 })), { maxLength: 40 })])(
    'should keep clones independent: a write on either side is never seen by the other',
    (writes) => {
      const original = emptyPool();
      const pfns = [0, 1, 2, 3].map(() => allocFrame(original, 'x'));
      frameForWrite(original, pfns[0])[0] = 1;
      const copy = clonePool(original);
      const expected = [new Map<string, number>(), new Map<string, number>()];
      for (const [toCopy, f, off, v] of writes) {
        frameForWrite(toCopy ? copy : original, pfns[f])[off] = v;
        expected[toCopy ? 1 : 0].set(`${f}:${off}`, v);
      }
      [original, copy].forEach((pool, side) => {
        for (let f = 0; f < 4; f++) {
          for (const off of [0, ...writes.map((x) => x[2])]) {
            const want = expected[side].get(`${f}:${off}`) ?? (f === 0 && off === 0 ? 1 : 0);
            expect(frameForRead(pool, pfns[f])[off]).toBe(want);
          }
        }
      });
    },
  );

  it.prop([fc.array(fc.tuple(fc.boolean(), fc.constantFrom('write', 'free', 'alloc'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 255 })), { maxLength: 30 })])(
    'should keep clones independent when either side allocates, frees or writes frames',
    (ops) => {
      const original = emptyPool();
      const pfns = [0, 1, 2, 3].map(() => allocFrame(original, 'x'));
      pfns.forEach((p, i) => (frameForWrite(original, p)[i] = 9));
      const copy = clonePool(original);
      // a plain model of each side: owner and first byte per frame.
      const model = [original, copy].map(() => new Map(pfns.map((p) => [p, { owner: 'x', b: 9 }])));
      const firstByte = pfns.map((_, i) => i);
      for (const [toCopy, op, f, v] of ops) {
        const side = toCopy ? 1 : 0;
        const pool = toCopy ? copy : original;
        const m = model[side];
        const pfn = pfns[f];
        if (op === 'write' && m.has(pfn)) {
          frameForWrite(pool, pfn, firstByte[f], 1)[firstByte[f]] = v;
          m.get(pfn)!.b = v;
        } else if (op === 'free' && m.has(pfn)) {
          freeFrame(pool, pfn);
          m.delete(pfn);
        } else if (op === 'alloc') {
          const got = allocFrame(pool, 'y');
          if (pfns.includes(got)) m.set(got, { owner: 'y', b: 0 });
        }
      }
      [original, copy].forEach((pool, side) => {
        pfns.forEach((pfn, f) => {
          const want = model[side].get(pfn);
          expect(pool.owner.get(pfn)).toBe(want?.owner);
          expect(frameForRead(pool, pfn)[firstByte[f]]).toBe(want?.b ?? 0);
        });
      });
    },
  );
});
