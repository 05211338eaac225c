import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { readU64, writeU64, type Endian } from '../../src/memory/bits.js';

/** The bytes a DataView writes: what writeU64's halves must match, for any value it is given. */
function viaDataView(len: number, off: number, value: bigint, endian: Endian): Uint8Array {
  const b = new Uint8Array(len).fill(0xa5);
  new DataView(b.buffer).setBigUint64(off, BigInt.asUintN(64, value), endian === 'le');
  return b;
}

const values = fc.oneof(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), fc.constantFrom(0n, 0xffffffffn, 0x100000000n, -1n));

describe('u64 bytes', () => {
  it.prop([values, fc.nat({ max: 24 }), fc.constantFrom<Endian>('be', 'le')])('should write every value as a DataView does, below 2^32 too, and read back its low 64 bits', (value, off, endian) => {
    const b = new Uint8Array(32).fill(0xa5);
    writeU64(b, off, value, endian);
    expect(b).toEqual(viaDataView(32, off, value, endian));
    expect(readU64(b, off, endian)).toBe(BigInt.asUintN(64, value));
  });

  it('should refuse a write past the buffer as a DataView does', () => {
    expect(() => writeU64(new Uint8Array(8), 1, 5n, 'be')).toThrow(RangeError);
  });
});
