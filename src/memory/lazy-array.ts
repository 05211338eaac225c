/**
 * A table of u64 entries held in host frames, a frame of 512 entries allocated on the first
 * non-zero write (KVM TCE tables, hardware TCE tables). Reads of unallocated parts give 0.
 */
import { readU64, writeU64, type Endian } from './bits.js';
import { allocFrame, frameForRead, frameForWrite, freeFrame, type FramePool } from './frames.js';

export const U64_PER_FRAME = 512;

/** Backing frames by frame index. */
export type LazyFrames = Map<number, number>;

export function lazyPut(pool: FramePool, frames: LazyFrames, idx: number, value: bigint, endian: Endian, owner: string): void {
  const page = Math.floor(idx / U64_PER_FRAME);
  let pfn = frames.get(page);
  if (pfn === undefined) {
    if (value === 0n) return;
    pfn = allocFrame(pool, owner);
    frames.set(page, pfn);
  }
  const off = (idx % U64_PER_FRAME) * 8;
  writeU64(frameForWrite(pool, pfn, off, 8), off, value, endian);
}

export function lazyGet(pool: FramePool, frames: LazyFrames, idx: number, endian: Endian): bigint {
  const pfn = frames.get(Math.floor(idx / U64_PER_FRAME));
  return pfn === undefined ? 0n : readU64(frameForRead(pool, pfn), (idx % U64_PER_FRAME) * 8, endian);
}

export function lazyFree(pool: FramePool, frames: LazyFrames): void {
  for (const pfn of frames.values()) freeFrame(pool, pfn);
  frames.clear();
}

/**
 * The indices in [first, first + count) that hold a non-zero entry, visiting only allocated
 * frames: a range as large as the guest may name costs no more than what was ever written.
 */
export function lazyNonZero(pool: FramePool, frames: LazyFrames, first: bigint, count: bigint, endian: Endian): number[] {
  const out: number[] = [];
  const end = first + count;
  for (const [page, pfn] of [...frames].sort((a, b) => a[0] - b[0])) {
    const base = BigInt(page * U64_PER_FRAME);
    if (base + BigInt(U64_PER_FRAME) <= first || base >= end) continue;
    const buf = frameForRead(pool, pfn);
    for (let k = 0; k < U64_PER_FRAME; k++) {
      const idx = base + BigInt(k);
      if (idx >= first && idx < end && readU64(buf, k * 8, endian) !== 0n) out.push(page * U64_PER_FRAME + k);
    }
  }
  return out;
}
