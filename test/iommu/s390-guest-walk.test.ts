/**
 * The guest DMA-table walk in numbers must give exactly what the u64 walk gives, for any IOTA,
 * IOVA and table bytes: a region, segment and page entry placed where the IOVA's indices read
 * them, each valid, protected, invalid, of the wrong type or length, an FC segment, pointing past
 * 2^53 or at no page, or any u64; entries straddling a page; IOTAs with any flags or any u64.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { walkGuestTable, walkGuestTableU64 } from '../../src/iommu/s390/guest-walk.js';
import { allocFrame, emptyPool, frameForWrite, type FramePool } from '../../src/memory/frames.js';
import { writeU64 } from '../../src/memory/bits.js';

/** Guest pages base..base+15: the region table at +0, the segment table at +4 (16 KiB aligned), the page table in the second half of +9 (2 KiB aligned only), data above. */
const PAGES = 16;

/** An entry's value: guest address `at` with the type bits `bits`, changed by one of the mutations. */
const entry = (bits: bigint) =>
  fc.record({
    mutation: fc.constantFrom('none', 'none', 'none', 'protected', 'invalid', 'type', 'length', 'offset', 'fc', 'far', 'unmapped', 'zero', 'any'),
    low: fc.nat({ max: 0xfff }),
    any: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  }).map(({ mutation, low, any }) => (at: bigint) => {
    switch (mutation) {
      case 'protected': return at | bits | 0x200n;
      case 'invalid': return at | bits | 0x20n;
      case 'type': return at | (bits ^ 0x4n);
      case 'length': return at | (bits & ~0x3n);
      case 'offset': return at | bits | 0x40n;
      case 'fc': return at | bits | 0x400n | (BigInt(low) << 12n & 0xff000n);
      case 'far': return at | bits | (1n << 58n);
      case 'unmapped': return (at + (1n << 30n)) | bits;
      case 'zero': return 0n;
      case 'any': return any;
      default: return at | bits;
    }
  });

function write(pool: FramePool, resolve: (page: number) => number | undefined, ga: bigint, value: bigint): void {
  const bytes = new Uint8Array(8);
  writeU64(bytes, 0, value, 'be');
  for (let i = 0n; i < 8n; i++) {
    const pfn = resolve(Number((ga + i) >> 12n));
    if (pfn === undefined) continue;
    const off = Number((ga + i) & 0xfffn);
    frameForWrite(pool, pfn, off, 1)[off] = bytes[Number(i)];
  }
}

describe('s390 guest-table walk', () => {
  it.prop(
    [
      fc.nat({ max: 2 ** 28 }).map((k) => 4 * k),
      fc.oneof(fc.constantFrom(0, 0x804, 0x200, 0x800, 0x4, 0xa04, 0xff8), fc.nat({ max: 0xfff }), fc.constant(-1)),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      entry(0x7n),
      entry(0x0n),
      entry(0x0n),
      fc.record({ r: fc.nat({ max: 2047 }), s: fc.nat({ max: 2047 }), p: fc.nat({ max: 255 }), off: fc.nat({ max: 0xfff }) }),
      fc.oneof(fc.constant(undefined), fc.bigInt({ min: 0n, max: (1n << 44n) - 1n })),
      fc.boolean(),
    ],
    { numRuns: 3000 },
  )('should give what the u64 walk gives', (base, flags, anyIota, rte, ste, pte, { r, s, p, off }, anyAddr, straddle) => {
    const pool = emptyPool();
    const frames = Array.from({ length: PAGES }, () => allocFrame(pool, 'guest'));
    const resolve = (page: number) => (page >= base && page < base + PAGES ? frames[page - base] : undefined);
    const iota = flags < 0 ? anyIota : (BigInt(base) << 12n) | BigInt(flags);
    const rto = iota & ~0x804n;
    const sto = BigInt(base + 4) << 12n;
    const pto = (BigInt(base + 9) << 12n) + 0x800n;
    write(pool, resolve, rto + BigInt(r) * 8n, rte(sto));
    // the segment table's origin as the region entry gives it (16 KiB aligned), where it is one of ours.
    write(pool, resolve, sto + BigInt(s) * 8n, ste(pto));
    write(pool, resolve, pto + BigInt(p) * 8n, pte(BigInt(base + 12) << 12n));
    // an entry across the end of a page: the walk in numbers leaves it to the u64 walk.
    if (straddle) write(pool, resolve, (BigInt(base + 1) << 12n) - 4n, rte(sto));
    const addr = anyAddr ?? (BigInt(r & 0x7ff) << 31n) + (BigInt(s) << 20n) + (BigInt(p) << 12n) + BigInt(off);
    expect(walkGuestTable(pool, resolve, iota, addr)).toEqual(walkGuestTableU64(pool, resolve, iota, addr));
  });
});
