/**
 * Work per event is bounded: a migration that names its target frame cannot make the model build
 * a free list the size of the address space (it once looped over every frame below 2^52). A
 * target outside the host's HOST_FRAMES is refused, and one inside frees exactly the frames it
 * skips, in the free list's order.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { digest } from '../../src/model/digest.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { FIRST_PFN, HOST_FRAMES, allocFrame } from '../../src/memory/frames.js';
import { e, HVA, ok, setupWorld } from '../support/fixture.js';

const touch = e('vmm.mem.write', { mm: 'qemu', hva: HVA, data: Uint8Array.of(1) });
const migrate = (pfn: bigint) => e('host.mm.migrate', { mm: 'qemu', hva: HVA, pfn });

describe('an explicit migration target', () => {
  it.prop([fc.oneof(fc.bigInt({ min: BigInt(HOST_FRAMES), max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: BigInt(FIRST_PFN - 1) }))])(
    'should be refused with EINVAL, changing nothing, outside the host frames',
    (pfn) => {
      const w = setupWorld();
      ok(w, touch);
      const before = digest(w);
      expect(applyEvent(w, migrate(pfn)).code).toBe('EINVAL');
      expect(digest(w)).toBe(before);
    },
  );

  it('should free exactly the frames it skips, lowest handed out first', () => {
    const w = setupWorld();
    ok(w, touch);
    const next = w.frames.next;
    const target = HOST_FRAMES - 1;
    ok(w, migrate(BigInt(target)));
    expect(w.frames.next).toBe(HOST_FRAMES);
    expect(w.frames.free.length).toBeGreaterThanOrEqual(target - next);
    expect(w.frames.free.length).toBeLessThan(HOST_FRAMES);
    // the free list stays in descending order, so the lowest free frame is handed out next.
    expect(w.frames.free.every((p, i) => i === 0 || w.frames.free[i - 1] > p)).toBe(true);
    const lowest = w.frames.free.reduce((a, b) => Math.min(a, b));
    expect(allocFrame(w.frames, 'anon:qemu')).toBe(lowest);
  });
});
