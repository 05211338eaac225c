import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { lastPageOf, pageOf, pageOffset } from '../../src/memory/constants.js';

// addresses near the edges the shortcuts care about (2^53, 2^64) as well as anywhere in u64.
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: (1n << 53n) - 0x3000n, max: (1n << 53n) + 0x3000n }),
  fc.bigInt({ min: (1n << 64n) - 0x3000n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 0x10000n }),
);

describe('page arithmetic on u64 addresses', () => {
  it.prop([u64])('should give the page and offset a bigint shift and mask give', (addr) => {
    expect(pageOf(addr)).toBe(Number(addr >> 12n));
    expect(pageOffset(addr)).toBe(Number(addr & 0xfffn));
  });

  it.prop([u64, fc.integer({ min: 1, max: 1 << 24 })])('should give the last page of a range, or nothing past 2^64, as bigints do', (addr, len) => {
    const end = addr + BigInt(len) - 1n;
    expect(lastPageOf(addr, len)).toBe(end > (1n << 64n) - 1n ? undefined : Number(end >> 12n));
  });

  it.prop([fc.integer({ min: 1, max: 0x3000 }), fc.integer({ min: 1, max: 16 })])(
    'should not round a range that ends on the last byte of a page just past 2^53',
    (below, pages) => {
      // the end, 2^53 + 4096 * pages - 1, is odd: a double would round it onto the next page.
      const addr = (1n << 53n) - BigInt(below);
      const len = below + 4096 * pages;
      expect(lastPageOf(addr, len)).toBe(Number(((1n << 53n) + BigInt(4096 * pages) - 1n) >> 12n));
    },
  );
});
