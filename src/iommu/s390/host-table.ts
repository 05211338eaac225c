/**
 * The host's s390 DMA translation table (the table registered with the physical function's IOAT),
 * held in host frames: region-third and segment tables of 16 KiB (four contiguous frames,
 * 16 KiB aligned) whose fresh entries read 0x20, page tables of 2 KiB (one per frame here) whose
 * fresh entries read 0x400. Entries are built as Linux does (kernel-facts §1.3); an unmapped PTE is
 * exactly ZPCI_PTE_INVALID.
 */
import { allocContiguous, allocFrame, freeFrame, frameBuf, frameForRead, frameForWrite, type FramePool, type PageBuf } from '../../memory/frames.js';
import { readPhysU64, writePhysU64 } from '../../memory/phys.js';
import { readU32, readU64, writeU64 } from '../../memory/bits.js';
import { addrOf, PAGE_SIZE } from '../../memory/constants.js';
import type { Leaf, TableFormat, Translation } from '../format.js';
import { stepPoint } from '../../ops/steps.js';
import {
  S390_ENDIAN, ZPCI_PT_ENTRIES, ZPCI_PTE_ADDR_MASK, ZPCI_PTE_INVALID, ZPCI_RTE_ADDR_MASK, ZPCI_STE_ADDR_MASK,
  ZPCI_TABLE_ENTRIES, ZPCI_TABLE_INVALID, ZPCI_TABLE_PROTECTED, ZPCI_TABLE_TYPE_MASK, ZPCI_TABLE_TYPE_RTX,
  ZPCI_TABLE_TYPE_SX, freshRte, freshSte, px, rtx, sx, validPte, LO,
} from './layout.js';
import { domainTableOwner } from '../../memory/owners.js';

const TABLE_FRAMES = 4;

function newTable(pool: FramePool, owner: string, tables: number[] | undefined, entries: number, invalid: bigint): bigint {
  const first = entries === ZPCI_TABLE_ENTRIES ? allocContiguous(pool, TABLE_FRAMES, TABLE_FRAMES, owner) : allocFrame(pool, owner);
  const frames = entries === ZPCI_TABLE_ENTRIES ? TABLE_FRAMES : 1;
  if (tables) for (let i = 0; i < frames; i++) tables.push(first + i);
  // one write per frame of the table, from a page of fresh entries, not one per entry.
  const fresh = freshEntries(invalid);
  for (let i = 0, left = entries * 8; left > 0; i++, left -= PAGE_SIZE) {
    const len = Math.min(PAGE_SIZE, left);
    frameForWrite(pool, first + i, 0, len).set(fresh.subarray(0, len), 0);
  }
  return addrOf(first);
}

/** A page of entries that all read `invalid`, per value (two values are ever asked for). */
const FRESH = new Map<bigint, Uint8Array>();

function freshEntries(invalid: bigint): Uint8Array {
  let page = FRESH.get(invalid);
  if (!page) {
    page = new Uint8Array(PAGE_SIZE);
    for (let off = 0; off < PAGE_SIZE; off += 8) writeU64(page, off, invalid, S390_ENDIAN);
    FRESH.set(invalid, page);
  }
  return page;
}

const rteValid = (e: bigint) => (e & ZPCI_TABLE_INVALID) === 0n && (e & ZPCI_TABLE_TYPE_MASK) === ZPCI_TABLE_TYPE_RTX;
const steValid = (e: bigint) => (e & ZPCI_TABLE_INVALID) === 0n && (e & ZPCI_TABLE_TYPE_MASK) === ZPCI_TABLE_TYPE_SX;
const pteValid = (e: bigint) => (e & ZPCI_PTE_INVALID) === 0n;

/** Address of the PTE for an IOVA, or undefined when an upper level is not valid. */
function ptePointer(pool: FramePool, rto: bigint, iova: bigint): bigint | undefined {
  return ptePointerWith((pa) => readPhysU64(pool, pa, S390_ENDIAN), rto, iova);
}

/** ptePointer through a reader of u64 table entries (one that notes which frames it read). */
function ptePointerWith(read: (pa: bigint) => bigint, rto: bigint, iova: bigint): bigint | undefined {
  const rte = read(rto + BigInt(rtx(iova)) * 8n);
  if (!rteValid(rte)) return undefined;
  const ste = read((rte & ZPCI_RTE_ADDR_MASK) + BigInt(sx(iova)) * 8n);
  if (!steValid(ste)) return undefined;
  return (ste & ZPCI_STE_ADDR_MASK) + BigInt(px(iova)) * 8n;
}

/** Reads the host PTE for an IOVA (exactly what is in the table), or undefined without a page table. */
export function readHostPte(pool: FramePool, root: number, iovaPage: number): bigint | undefined {
  if (!readHostPteWords(pool, root, iovaPage, pte, 0)) return undefined;
  return pte[0] === 0 ? BigInt(pte[1]) : (BigInt(pte[0]) << 32n) | BigInt(pte[1]);
}

/** One entry's halves, for readHostPte and translate (each reads them out before the next walk). */
const pte = new Uint32Array(2);

/**
 * The host PTE of an IOVA page as two 32-bit halves, high into `out[2 * at]` and low into
 * `out[2 * at + 1]`; false (and nothing written) without a page table. No bigint unless a table
 * lies at or past 4 GiB: DMA, refreshes, checks and orbit keys read entries on every transition.
 */
export function readHostPteWords(pool: FramePool, root: number, iovaPage: number, out: Uint32Array, at: number): boolean {
  const pa = ptePlace(pool, root, iovaPage);
  if (pa === NO_TABLE) return false;
  if (pa === ABOVE_4G) {
    const p = ptePointer(pool, addrOf(root), addrOf(iovaPage));
    if (p === undefined) return false;
    const v = readPhysU64(pool, p, S390_ENDIAN);
    out[2 * at] = Number(v >> 32n);
    out[2 * at + 1] = Number(v & 0xffffffffn);
    return true;
  }
  const bytes = frameForRead(pool, Math.floor(pa / PAGE_SIZE));
  out[2 * at] = readU32(bytes, pa % PAGE_SIZE, S390_ENDIAN);
  out[2 * at + 1] = readU32(bytes, (pa % PAGE_SIZE) + 4, S390_ENDIAN);
  return true;
}

const NO_TABLE = -1;
const ABOVE_4G = -2;

/**
 * ptePointer in 32-bit halves, as a number: the walk every DMA, refresh and check makes, without a
 * bigint per step. The PTE's physical address; NO_TABLE when an upper level is not valid;
 * ABOVE_4G when a region or segment entry points at or past 4 GiB (the model allocates every table
 * below; the bigint walk reads the rest).
 */
function ptePlace(pool: FramePool, root: number, iovaPage: number): number {
  // IOVA bits 31-41 index the region table, 20-30 the segment table, 12-19 the page table.
  const rte = root * PAGE_SIZE + (Math.floor(iovaPage / 2 ** 19) % ZPCI_TABLE_ENTRIES) * 8;
  const rbytes = frameForRead(pool, Math.floor(rte / PAGE_SIZE));
  if (readU32(rbytes, rte % PAGE_SIZE, S390_ENDIAN) !== 0) return ABOVE_4G;
  const rlo = readU32(rbytes, (rte % PAGE_SIZE) + 4, S390_ENDIAN);
  if ((rlo & LO.INVALID) !== 0 || (rlo & LO.TYPE_MASK) !== LO.TYPE_RTX) return NO_TABLE;
  const ste = ((rlo & LO.RTE_ADDR) >>> 0) + (Math.floor(iovaPage / ZPCI_PT_ENTRIES) % ZPCI_TABLE_ENTRIES) * 8;
  const sbytes = frameForRead(pool, Math.floor(ste / PAGE_SIZE));
  if (readU32(sbytes, ste % PAGE_SIZE, S390_ENDIAN) !== 0) return ABOVE_4G;
  const slo = readU32(sbytes, (ste % PAGE_SIZE) + 4, S390_ENDIAN);
  if ((slo & LO.INVALID) !== 0 || (slo & LO.TYPE_MASK) !== LO.TYPE_SX) return NO_TABLE;
  return ((slo & LO.STE_ADDR) >>> 0) + (iovaPage % ZPCI_PT_ENTRIES) * 8;
}

/**
 * The host PTEs of `count` consecutive IOVA pages (undefined where there is no page table),
 * walking the upper levels once per page table rather than once per page.
 */
export function readHostPtes(pool: FramePool, root: number, firstIovaPage: number, count: number): (bigint | undefined)[] {
  for (const m of walks) if (m.root === root && m.first === firstIovaPage && m.count === count && unchangedSince(pool, m)) return m.out.slice();
  const pfns: number[] = [];
  const read = (pa: bigint): bigint => {
    const pfn = Number(pa >> 12n);
    if (!pfns.includes(pfn)) pfns.push(pfn);
    return readPhysU64(pool, pa, S390_ENDIAN);
  };
  const out: (bigint | undefined)[] = [];
  let table: bigint | undefined;
  for (let k = 0; k < count; k++) {
    const iova = addrOf(firstIovaPage + k);
    const x = BigInt(px(iova)) * 8n;
    if (k === 0 || x === 0n) {
      const p = ptePointerWith(read, addrOf(root), iova);
      table = p === undefined ? undefined : p - x;
    }
    out.push(table === undefined ? undefined : read(table + x));
  }
  const bufs = pfns.map((pfn) => frameBuf(pool, pfn));
  walks[nextWalk] = { root, first: firstIovaPage, count, pfns, bufs, seqs: bufs.map((b) => b?.seq ?? -1), out: out.slice() };
  nextWalk = (nextWalk + 1) % WALKS;
  return out;
}

/**
 * The last few walks of readHostPtes, each with the frames it read and their buffers' write
 * sequences. A frame that holds the same buffer at the same sequence holds the same bytes (every
 * write bumps it; an undone write puts back both), so such a walk reads what it read before. The
 * checker asks for the same entries in nearly every successor, and most moves leave the table alone.
 */
interface Walk {
  readonly root: number;
  readonly first: number;
  readonly count: number;
  readonly pfns: readonly number[];
  readonly bufs: readonly (PageBuf | undefined)[];
  readonly seqs: readonly number[];
  readonly out: readonly (bigint | undefined)[];
}
const WALKS = 8;
const walks: Walk[] = [];
let nextWalk = 0;

function unchangedSince(pool: FramePool, m: Walk): boolean {
  for (let i = 0; i < m.pfns.length; i++) {
    const b = frameBuf(pool, m.pfns[i]);
    if (b !== m.bufs[i] || (b !== undefined && b.seq !== m.seqs[i])) return false;
  }
  return true;
}

/** Makes sure region and segment entries exist for an IOVA (allocating tables); returns the PTE address. */
export function ensurePtePointer(pool: FramePool, root: number, iovaPage: number, owner: string, tables: number[]): bigint {
  // nearly always the tables exist: found by the walk in halves, with one bigint made.
  const at = ptePlace(pool, root, iovaPage);
  if (at >= 0) return BigInt(at);
  const iova = addrOf(iovaPage);
  const rteAddr = addrOf(root) + BigInt(rtx(iova)) * 8n;
  let rte = readPhysU64(pool, rteAddr, S390_ENDIAN);
  if (!rteValid(rte)) {
    rte = freshRte(newTable(pool, owner, tables, ZPCI_TABLE_ENTRIES, ZPCI_TABLE_INVALID));
    writePhysU64(pool, rteAddr, rte, S390_ENDIAN);
  }
  const steAddr = (rte & ZPCI_RTE_ADDR_MASK) + BigInt(sx(iova)) * 8n;
  let ste = readPhysU64(pool, steAddr, S390_ENDIAN);
  if (!steValid(ste)) {
    ste = freshSte(newTable(pool, owner, tables, ZPCI_PT_ENTRIES, ZPCI_PTE_INVALID));
    writePhysU64(pool, steAddr, ste, S390_ENDIAN);
  }
  return (ste & ZPCI_STE_ADDR_MASK) + BigInt(px(iova)) * 8n;
}

/** Writes one host PTE (the KVM shadow path edits entries directly). */
export function writeHostPte(pool: FramePool, pteAddr: bigint, value: bigint): void {
  writePhysU64(pool, pteAddr, value, S390_ENDIAN);
  stepPoint('table-write');
}

/**
 * Sets the host PTE of an IOVA page in an s390 domain to `value` exactly, allocating region and
 * segment tables on the way (the domain's owner and table list record them).
 */
export function setDomainPte(pool: FramePool, dom: { readonly id: string; readonly root: number; readonly tables: number[] }, iovaPage: number, value: bigint): void {
  writeHostPte(pool, ensurePtePointer(pool, dom.root, iovaPage, domainTableOwner(dom.id), dom.tables), value);
}

interface Scan {
  readonly seq: number;
  readonly valid: readonly { index: number; entry: bigint }[];
}
const scans = new WeakMap<PageBuf, Scan>();

/**
 * Valid entries of one table frame, cached by page buffer and write sequence (as for VT-d). A
 * copy of a scanned frame rescans only the bytes written since the copy.
 */
function scanFrame(pool: FramePool, pfn: number, baseIndex: number, count: number, valid: (e: bigint) => boolean): { index: number; entry: bigint }[] {
  const buf = frameBuf(pool, pfn);
  return buf === undefined ? [] : (scanBuf(buf, baseIndex, count, valid) as { index: number; entry: bigint }[]);
}

function scanBuf(buf: PageBuf, baseIndex: number, count: number, valid: (e: bigint) => boolean): Scan['valid'] {
  const hit = scans.get(buf);
  if (hit !== undefined && hit.seq === buf.seq) return hit.valid;
  const out: { index: number; entry: bigint }[] = [];
  const rescan = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const e = readU64(buf.data, i * 8, S390_ENDIAN);
      if (valid(e)) out.push({ index: baseIndex + i, entry: e });
    }
  };
  if (buf.from !== undefined) {
    const before = scanBuf(buf.from, baseIndex, count, valid);
    const lo = Math.min(count, buf.lo >>> 3);
    const hi = Math.min(count, (buf.hi + 7) >>> 3);
    for (const e of before) if (e.index - baseIndex < lo) out.push(e);
    rescan(lo, hi);
    for (const e of before) if (e.index - baseIndex >= hi) out.push(e);
  } else rescan(0, count);
  scans.set(buf, { seq: buf.seq, valid: out });
  return out;
}

function scanTable(pool: FramePool, base: bigint, entries: number, valid: (e: bigint) => boolean) {
  const first = Number(base >> 12n);
  if (entries === ZPCI_PT_ENTRIES) return scanFrame(pool, first, 0, entries, valid);
  const perFrame = 512;
  const out: { index: number; entry: bigint }[] = [];
  for (let i = 0; i < TABLE_FRAMES; i++) for (const e of scanFrame(pool, first + i, i * perFrame, perFrame, valid)) out.push(e);
  return out;
}

export const S390_HOST_FORMAT: TableFormat = {
  name: 's390',
  aperturePages: 2 ** 30,
  // start_dma of the host's CLP data (QEMU's ZPCI_SDMA_ADDR default, 4 GiB): lower IOVAs are reserved.
  firstPage: 2 ** 20,
  requiresRead: true,
  newRoot(pool, owner) {
    return Number(newTable(pool, owner, undefined, ZPCI_TABLE_ENTRIES, ZPCI_TABLE_INVALID) >> 12n);
  },
  translate(pool, root, iovaPage): Translation | undefined {
    if (!readHostPteWords(pool, root, iovaPage, pte, 0) || (pte[1] & LO.PTE_INVALID) !== 0) return undefined;
    // the frame address: the high word's pages above the low word's (bits 12-31).
    return { pfn: pte[0] * 2 ** 20 + (pte[1] >>> 12), read: true, write: (pte[1] & LO.PROTECTED) === 0 };
  },
  map(pool, root, iovaPage, pfn, _read, write, owner, tables) {
    writeHostPte(pool, ensurePtePointer(pool, root, iovaPage, owner, tables), validPte(addrOf(pfn), !write));
  },
  unmap(pool, root, iovaPage) {
    const p = ptePointer(pool, addrOf(root), addrOf(iovaPage));
    if (p !== undefined) writeHostPte(pool, p, ZPCI_PTE_INVALID);
  },
  leaves(pool, root): Leaf[] {
    const out: Leaf[] = [];
    for (const r of scanTable(pool, addrOf(root), ZPCI_TABLE_ENTRIES, rteValid)) {
      const rtProt = r.entry & ZPCI_TABLE_PROTECTED;
      for (const s of scanTable(pool, r.entry & ZPCI_RTE_ADDR_MASK, ZPCI_TABLE_ENTRIES, steValid)) {
        const prot = rtProt | (s.entry & ZPCI_TABLE_PROTECTED);
        for (const p of scanTable(pool, s.entry & ZPCI_STE_ADDR_MASK, ZPCI_PT_ENTRIES, pteValid)) {
          out.push({
            iovaPage: r.index * 2 ** 19 + s.index * 256 + p.index,
            t: { pfn: Number((p.entry & ZPCI_PTE_ADDR_MASK) >> 12n), read: true, write: (prot | (p.entry & ZPCI_TABLE_PROTECTED)) === 0n },
          });
        }
      }
    }
    return out;
  },
  free(pool, root, tables) {
    for (const t of tables) freeFrame(pool, t);
    for (let i = 0; i < TABLE_FRAMES; i++) freeFrame(pool, root + i);
  },
};
