/**
 * Walks and edits a VT-d second-stage table held in host frames, reading and writing the real
 * entry bytes through the accessors of layout.ts. Pure with respect to everything but the frame
 * pool passed in.
 */
import { allocFrame, frameBuf, frameForRead, frameForWrite, freeFrame, type FramePool, type PageBuf } from '../../memory/frames.js';
import { SL_R, SL_W, VTD_APERTURE_PAGES, VTD_ENTRIES, VTD_SPAN, VTD_ENTRY_SIZE, VTD_LEVELS, vtdIndex, vtdIsSuperpage, vtdPerm, vtdPfn, vtdWriteEntry } from './layout.js';

import type { Leaf, TableFormat, Translation } from '../format.js';
import { stepPoint } from '../../ops/steps.js';

export type { Leaf, Translation };

/** Translates one IOVA page; undefined when any level is not present (or is a superpage, which this model never writes). */
export function vtdTranslate(pool: FramePool, root: number, iovaPage: number): Translation | undefined {
  let table = root;
  let perm = SL_R | SL_W;
  for (let level = VTD_LEVELS; level >= 1; level--) {
    const bytes = frameForRead(pool, table);
    const off = vtdIndex(iovaPage, level) * VTD_ENTRY_SIZE;
    const p = vtdPerm(bytes, off);
    if (p === 0 || (level > 1 && vtdIsSuperpage(bytes, off))) return undefined;
    perm &= p;
    table = vtdPfn(bytes, off);
  }
  return { pfn: table, read: (perm & SL_R) !== 0, write: (perm & SL_W) !== 0 };
}

/** Installs a 4 KiB leaf, allocating intermediate tables (owned by `owner`) on the way. */
export function vtdMap(pool: FramePool, root: number, iovaPage: number, pfn: number, read: boolean, write: boolean, owner: string, tables: number[]): void {
  let table = root;
  for (let level = VTD_LEVELS; level > 1; level--) {
    const off = vtdIndex(iovaPage, level) * VTD_ENTRY_SIZE;
    const bytes = frameForRead(pool, table);
    if (vtdPerm(bytes, off) === 0) {
      const next = allocFrame(pool, owner);
      tables.push(next);
      vtdWriteEntry(frameForWrite(pool, table, off, 8), off, next, SL_R | SL_W);
      table = next;
    } else table = vtdPfn(bytes, off);
  }
  const leaf = vtdIndex(iovaPage, 1) * VTD_ENTRY_SIZE;
  vtdWriteEntry(frameForWrite(pool, table, leaf, VTD_ENTRY_SIZE), leaf, pfn, (read ? SL_R : 0) | (write ? SL_W : 0));
  stepPoint('table-write');
}

/** Clears a leaf; intermediate tables stay until the domain is freed (as the VT-d driver keeps them). */
export function vtdUnmap(pool: FramePool, root: number, iovaPage: number): void {
  let table = root;
  for (let level = VTD_LEVELS; level > 1; level--) {
    const bytes = frameForRead(pool, table);
    const off = vtdIndex(iovaPage, level) * VTD_ENTRY_SIZE;
    if (vtdPerm(bytes, off) === 0) return;
    table = vtdPfn(bytes, off);
  }
  const leaf = vtdIndex(iovaPage, 1) * VTD_ENTRY_SIZE;
  vtdWriteEntry(frameForWrite(pool, table, leaf, VTD_ENTRY_SIZE), leaf, 0, 0);
  stepPoint('table-write');
}

/** The present entries of one table page: index, R/W bits, address, PS. */
interface Scan {
  readonly seq: number;
  readonly entries: readonly { index: number; perm: number; pfn: number; ps: boolean }[];
}

// keyed by page buffer; a buffer's seq changes on every write, so a stale scan is never reused.
const scans = new WeakMap<PageBuf, Scan>();

function scanTable(pool: FramePool, table: number): Scan['entries'] {
  const buf = frameBuf(pool, table);
  if (buf === undefined) return [];
  const hit = scans.get(buf);
  if (hit !== undefined && hit.seq === buf.seq) return hit.entries;
  const bytes = buf.data;
  const entries: { index: number; perm: number; pfn: number; ps: boolean }[] = [];
  for (let i = 0; i < VTD_ENTRIES; i++) {
    const off = i * VTD_ENTRY_SIZE;
    const perm = vtdPerm(bytes, off);
    if (perm !== 0) entries.push({ index: i, perm, pfn: vtdPfn(bytes, off), ps: vtdIsSuperpage(bytes, off) });
  }
  scans.set(buf, { seq: buf.seq, entries });
  return entries;
}

/** Every usable leaf (some permission left after the AND over levels), read from the table bytes: what the properties check. */
export function vtdLeaves(pool: FramePool, root: number): Leaf[] {
  const out: Leaf[] = [];
  const walk = (table: number, level: number, base: number, perm: number) => {
    const span = VTD_SPAN[level];
    for (const e of scanTable(pool, table)) {
      const p = e.perm & perm;
      // permissions AND over the levels: an entry left with neither R nor W translates nothing.
      if (p === 0) continue;
      if (level === 1) out.push({ iovaPage: base + e.index * span, t: { pfn: e.pfn, read: (p & SL_R) !== 0, write: (p & SL_W) !== 0 } });
      else if (!e.ps) walk(e.pfn, level - 1, base + e.index * span, p);
    }
  };
  walk(root, VTD_LEVELS, 0, SL_R | SL_W);
  return out;
}



/** Frees a domain's table frames (root included). */
export function vtdFree(pool: FramePool, root: number, tables: readonly number[]): void {
  for (const t of tables) freeFrame(pool, t);
  freeFrame(pool, root);
}

export const VTD_FORMAT: TableFormat = {
  name: 'vtd',
  aperturePages: VTD_APERTURE_PAGES,
  firstPage: 0,
  requiresRead: false,
  newRoot: (pool, owner) => allocFrame(pool, owner),
  translate: vtdTranslate,
  map: vtdMap,
  unmap: vtdUnmap,
  leaves: vtdLeaves,
  free: vtdFree,
};
