/**
 * The only place where table entries are read from or written to bytes. Every access names its
 * endianness, because s390 tables are big-endian while x86 and KVM's TCE pages are host order.
 * Pure functions over caller-supplied buffers.
 */

export type Endian = 'be' | 'le';

/** Reads a u32 at byte offset `off` (no bounds check: callers stay inside the buffer). */
export function readU32(bytes: Uint8Array, off: number, endian: Endian): number {
  return endian === 'le'
    ? (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0
    : ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
}

/** Writes a u32 at byte offset `off` (the caller has checked the bounds). */
function writeU32(bytes: Uint8Array, off: number, value: number, endian: Endian): void {
  for (let i = 0; i < 4; i++) bytes[endian === 'le' ? off + i : off + 3 - i] = (value >>> (8 * i)) & 0xff;
}

/** Reads a u64 at byte offset `off`. */
export function readU64(bytes: Uint8Array, off: number, endian: Endian): bigint {
  // two 32-bit halves from the bytes: a DataView per read cost twice as much (table scans read every entry).
  if (off < 0 || off + 8 > bytes.length) throw new RangeError(`u64 at ${off} is outside a ${bytes.length}-byte buffer`);
  const hi = readU32(bytes, endian === 'le' ? off + 4 : off, endian);
  const lo = readU32(bytes, endian === 'le' ? off : off + 4, endian);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes a u64 at byte offset `off`; the value is truncated to 64 bits. */
export function writeU64(bytes: Uint8Array, off: number, value: bigint, endian: Endian): void {
  // a value below 2^32 (nearly every table entry the model writes) as two halves, without a DataView or a bigint.
  if (value >= 0n && value <= 0xffffffffn && off >= 0 && off + 8 <= bytes.length) {
    writeU32(bytes, endian === 'le' ? off : off + 4, Number(value), endian);
    writeU32(bytes, endian === 'le' ? off + 4 : off, 0, endian);
    return;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  dv.setBigUint64(off, BigInt.asUintN(64, value), endian === 'le');
}

/** A u64 as 8 bytes in the given order (what a guest or a log writes for one table entry). */
export function u64Bytes(value: bigint, endian: Endian): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, value, endian);
  return b;
}

/**
 * Copies `n` bytes of `from` at `at` into `to` at `off`. A few bytes (a table entry, a guest's
 * word) are copied by hand: a view made for them cost more than the copy.
 */
export function copyBytes(to: Uint8Array, off: number, from: Uint8Array, at: number, n: number): void {
  if (n > 16) to.set(from.subarray(at, at + n), off);
  else for (let i = 0; i < n; i++) to[off + i] = from[at + i];
}
