/**
 * The only place where table entries are read from or written to bytes. Every access names its
 * endianness, because s390 tables are big-endian while x86 and KVM's TCE pages are host order.
 * Pure functions over caller-supplied buffers.
 */

export type Endian = 'be' | 'le';

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
