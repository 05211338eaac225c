/**
 * The only place where table entries are read from or written to bytes. Every access names its
 * endianness, because s390 tables are big-endian while x86 and KVM's TCE pages are host order.
 * Pure functions over caller-supplied buffers.
 */

export type Endian = 'be' | 'le';

const LO32 = 0xffffffffn;

/** Reads a u64 at byte offset `off`. */
export function readU64(bytes: Uint8Array, off: number, endian: Endian): bigint {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return dv.getBigUint64(off, endian === 'le');
}

/** Writes a u64 at byte offset `off`; the value is truncated to 64 bits. */
export function writeU64(bytes: Uint8Array, off: number, value: bigint, endian: Endian): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  dv.setBigUint64(off, BigInt.asUintN(64, value), endian === 'le');
}

/** A u64 as 8 bytes in the given order (what a guest or a log writes for one table entry). */
export function u64Bytes(value: bigint, endian: Endian): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, value, endian);
  return b;
}

/** True when the u64 at `off` is zero, without allocating a bigint (the table walkers' fast path). */
export function isZeroU64(bytes: Uint8Array, off: number): boolean {
  return (
    (bytes[off] | bytes[off + 1] | bytes[off + 2] | bytes[off + 3] |
      bytes[off + 4] | bytes[off + 5] | bytes[off + 6] | bytes[off + 7]) === 0
  );
}

/** A bit field inside a u64 entry: `width` bits starting at LSB-0 bit `shift`. */
export interface Field {
  readonly name: string;
  readonly shift: number;
  readonly width: number;
}

/** Extracts a field's value from an entry. */
export function getField(entry: bigint, f: Field): bigint {
  return (entry >> BigInt(f.shift)) & ((1n << BigInt(f.width)) - 1n);
}

/** Returns the entry with the field replaced by `value` (truncated to the field width). */
export function setField(entry: bigint, f: Field, value: bigint): bigint {
  const mask = ((1n << BigInt(f.width)) - 1n) << BigInt(f.shift);
  return BigInt.asUintN(64, (entry & ~mask) | ((value << BigInt(f.shift)) & mask));
}

/** Splits a u64 into two 32-bit halves for hashing without bigint arithmetic in loops. */
export function splitU64(value: bigint): [hi: number, lo: number] {
  return [Number((value >> 32n) & LO32), Number(value & LO32)];
}
