/**
 * Physical and guest-physical byte access across page boundaries, for tables whose entries live
 * at arbitrary (guest-controlled) addresses. Reads never allocate: an untouched page and an
 * address outside guest memory read as zeros (QEMU's unassigned memory reads as 0).
 */
import { PAGE_MASK_N, PAGE_SIZE, pageOf } from './constants.js';
import { frameForRead, frameForWrite, type FramePool } from './frames.js';
import { readU64, writeU64, type Endian } from './bits.js';

/** Resolves a page number to a frame, or undefined when it has none. */
export type PageResolver = (page: number) => number | undefined;

/** Reads `len` bytes at `addr` through a page resolver. */
export function readThrough(pool: FramePool, resolve: PageResolver, addr: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let off = Number(addr & PAGE_MASK_N);
  let page = pageOf(addr);
  let done = 0;
  while (done < len) {
    const n = Math.min(PAGE_SIZE - off, len - done);
    const pfn = resolve(page);
    if (pfn !== undefined) out.set(frameForRead(pool, pfn).subarray(off, off + n), done);
    done += n;
    off = 0;
    page++;
  }
  return out;
}

/** Reads a u64 at an address through a page resolver. */
export function readU64Through(pool: FramePool, resolve: PageResolver, addr: bigint, endian: Endian): bigint {
  const off = Number(addr & PAGE_MASK_N);
  if (off <= PAGE_SIZE - 8) {
    const pfn = resolve(pageOf(addr));
    return pfn === undefined ? 0n : readU64(frameForRead(pool, pfn), off, endian);
  }
  return readU64(readThrough(pool, resolve, addr, 8), 0, endian);
}

/** Reads a u64 at a host physical address (the frame must hold the whole entry: tables are aligned). */
export function readPhysU64(pool: FramePool, pa: bigint, endian: Endian): bigint {
  return readU64(frameForRead(pool, pageOf(pa)), Number(pa & PAGE_MASK_N), endian);
}

/** Writes a u64 at a host physical address. */
export function writePhysU64(pool: FramePool, pa: bigint, value: bigint, endian: Endian): void {
  const off = Number(pa & PAGE_MASK_N);
  writeU64(frameForWrite(pool, pageOf(pa), off, 8), off, value, endian);
}
