/** The function information block (80 bytes, big-endian), kernel-facts §2.5. */
import { readU64 } from '../memory/bits.js';

export const FIB_SIZE = 80;
export const FIB = { fmt: 0, fc: 8, pba: 16, pal: 24, iota: 32, data: 40, aibv: 48, aisb: 56, fmbAddr: 64, gd: 76 } as const;

export interface Fib {
  readonly fmt: number;
  readonly pba: bigint;
  readonly pal: bigint;
  readonly iota: bigint;
}

export function decodeFib(bytes: Uint8Array): Fib {
  return {
    fmt: bytes[FIB.fmt],
    pba: readU64(bytes, FIB.pba, 'be'),
    pal: readU64(bytes, FIB.pal, 'be'),
    iota: readU64(bytes, FIB.iota, 'be'),
  };
}
