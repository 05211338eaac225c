/**
 * Walks and edits a VT-d second-stage table held in host frames, reading and writing the real
 * entry bytes through memory/bits. Pure with respect to everything but the frame pool passed in.
 */
import { readU64, writeU64 } from '../../memory/bits.js';
import { allocFrame, frameForRead, frameForWrite, freeFrame, type FramePool } from '../../memory/frames.js';
import { SL_ADDR_MASK, SL_PS, SL_R, SL_W, VTD_ENDIAN, VTD_ENTRIES, VTD_ENTRY_SIZE, VTD_LEVELS, vtdIndex } from './layout.js';

export interface Translation {
  readonly pfn: number;
  readonly read: boolean;
  readonly write: boolean;
}

function entryPfn(e: bigint): number {
  return Number((e & SL_ADDR_MASK) >> 12n);
}

/** Translates one IOVA page; undefined when any level is not present (or is malformed). */
export function vtdTranslate(pool: FramePool, root: number, iovaPage: number): Translation | undefined {
  let table = root;
  let read = true;
  let write = true;
  for (let level = VTD_LEVELS; level >= 1; level--) {
    const e = readU64(frameForRead(pool, table), vtdIndex(iovaPage, level) * VTD_ENTRY_SIZE, VTD_ENDIAN);
    if ((e & (SL_R | SL_W)) === 0n) return undefined;
    if (level > 1 && (e & SL_PS) !== 0n) return undefined;
    read &&= (e & SL_R) !== 0n;
    write &&= (e & SL_W) !== 0n;
    table = entryPfn(e);
  }
  return { pfn: table, read, write };
}

/** Installs a 4 KiB leaf, allocating intermediate tables (owned by `owner`) on the way. */
export function vtdMap(pool: FramePool, root: number, iovaPage: number, pfn: number, read: boolean, write: boolean, owner: string, tables: number[]): void {
  let table = root;
  for (let level = VTD_LEVELS; level > 1; level--) {
    const off = vtdIndex(iovaPage, level) * VTD_ENTRY_SIZE;
    let e = readU64(frameForRead(pool, table), off, VTD_ENDIAN);
    if ((e & (SL_R | SL_W)) === 0n) {
      const next = allocFrame(pool, owner);
      tables.push(next);
      e = (BigInt(next) << 12n) | SL_R | SL_W;
      writeU64(frameForWrite(pool, table), off, e, VTD_ENDIAN);
    }
    table = entryPfn(e);
  }
  const leaf = (BigInt(pfn) << 12n) | (read ? SL_R : 0n) | (write ? SL_W : 0n);
  writeU64(frameForWrite(pool, table), vtdIndex(iovaPage, 1) * VTD_ENTRY_SIZE, leaf, VTD_ENDIAN);
}

/** Clears a leaf; intermediate tables stay until the domain is freed (as the VT-d driver keeps them). */
export function vtdUnmap(pool: FramePool, root: number, iovaPage: number): void {
  let table = root;
  for (let level = VTD_LEVELS; level > 1; level--) {
    const e = readU64(frameForRead(pool, table), vtdIndex(iovaPage, level) * VTD_ENTRY_SIZE, VTD_ENDIAN);
    if ((e & (SL_R | SL_W)) === 0n) return;
    table = entryPfn(e);
  }
  writeU64(frameForWrite(pool, table), vtdIndex(iovaPage, 1) * VTD_ENTRY_SIZE, 0n, VTD_ENDIAN);
}

/** Every present leaf, found by reading the table bytes (what the properties check). */
export function vtdLeaves(pool: FramePool, root: number): { iovaPage: number; t: Translation }[] {
  const out: { iovaPage: number; t: Translation }[] = [];
  const walk = (table: number, level: number, base: number, read: boolean, write: boolean) => {
    const bytes = frameForRead(pool, table);
    const span = 2 ** (9 * (level - 1));
    for (let i = 0; i < VTD_ENTRIES; i++) {
      const off = i * VTD_ENTRY_SIZE;
      // the low byte holds R and W: skip absent entries without building a bigint.
      if ((bytes[off] & 3) === 0) continue;
      const e = readU64(bytes, off, VTD_ENDIAN);
      const r = read && (e & SL_R) !== 0n;
      const w = write && (e & SL_W) !== 0n;
      if (level === 1) out.push({ iovaPage: base + i * span, t: { pfn: entryPfn(e), read: r, write: w } });
      else if ((e & SL_PS) === 0n) walk(entryPfn(e), level - 1, base + i * span, r, w);
    }
  };
  walk(root, VTD_LEVELS, 0, true, true);
  return out;
}

/** Frees a domain's table frames (root included). */
export function vtdFree(pool: FramePool, root: number, tables: readonly number[]): void {
  for (const t of tables) freeFrame(pool, t);
  freeFrame(pool, root);
}
