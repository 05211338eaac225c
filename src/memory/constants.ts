/** Page geometry shared by every backend: 4 KiB host pages (PAGE_SHIFT 12 on x86 and s390). */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_SHIFT_N = 12n;
export const PAGE_SIZE_N = 4096n;
export const PAGE_MASK_N = 0xfffn;

const EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Page number of an address; exact for any u64 because 2^52 < 2^53. */
export function pageOf(addr: bigint): number {
  // below 2^53 the address converts exactly and no bigint is made (the checker asks constantly).
  return addr >= 0n && addr <= EXACT ? Math.floor(Number(addr) / PAGE_SIZE) : Number(addr >> PAGE_SHIFT_N);
}

/** Address of a page number. */
export function addrOf(page: number): bigint {
  return BigInt(page) << PAGE_SHIFT_N;
}

/** The byte offset of an address within its page (exact below 2^53 without a bigint). */
export function pageOffset(addr: bigint): number {
  return addr >= 0n && addr <= EXACT ? Number(addr) % PAGE_SIZE : Number(addr & PAGE_MASK_N);
}

/**
 * The last page of [addr, addr+len) for len > 0, or undefined when the range passes 2^64. Below
 * 2^53 the end is exact as a double, so the guest accesses the checker makes need no bigint.
 */
export function lastPageOf(addr: bigint, len: number): number | undefined {
  if (addr >= 0n && addr <= EXACT) {
    const end = Number(addr) + len - 1;
    if (end <= Number.MAX_SAFE_INTEGER) return Math.floor(end / PAGE_SIZE);
  }
  const end = addr + BigInt(len) - 1n;
  return end > U64_LIMIT ? undefined : pageOf(end);
}
const U64_LIMIT = (1n << 64n) - 1n;
