/**
 * The guest DMA-table walk of QEMU's s390_guest_io_table_walk / table_translate (kernel-facts
 * §2.4), reading big-endian entries from guest memory. Pure: the reader is passed in. Deviation
 * from QEMU, as §1.1 advises: an IOVA at or above 4 TiB is out of range instead of aliasing.
 */
import { readU64Through, type PageResolver } from '../../memory/phys.js';
import { frameForRead, type FramePool } from '../../memory/frames.js';
import { readU32 } from '../../memory/bits.js';
import { PAGE_SIZE } from '../../memory/constants.js';
import {
  FRAME_PAGE, FRAME_REGION, FRAME_SEGMENT, PEC, S390_ENDIAN, ZPCI_IOTA_RTTO_FLAG, ZPCI_PTE_ADDR_MASK, ZPCI_PTE_INVALID,
  ZPCI_RTE_ADDR_MASK, ZPCI_SFAA_MASK, ZPCI_STE_ADDR_MASK, ZPCI_TABLE_FC, ZPCI_TABLE_INVALID, ZPCI_TABLE_LEN_MASK,
  ZPCI_TABLE_LEN_RTX, ZPCI_TABLE_OFFSET_MASK, ZPCI_TABLE_PROTECTED, ZPCI_TABLE_SIZE_RT, ZPCI_TABLE_TYPE_MASK,
  ZPCI_TABLE_TYPE_RTX, ZPCI_TABLE_TYPE_SX, ZPCI_TABLE_ENTRIES, ZPCI_PT_ENTRIES, px, rtx, sx,
} from './layout.js';

export type Perm = 'none' | 'ro' | 'rw';

export interface WalkResult {
  /** PEC of the walk error, 0 when none. */
  readonly error: number;
  /** Page-aligned IOVA the result starts at. */
  readonly iova: bigint;
  /** Guest physical address for `iova` (when perm is not none). */
  readonly translated: bigint;
  /** Frame size of the last level visited: how far the walk result reaches. */
  readonly len: bigint;
  readonly perm: Perm;
  /** Guest pages holding the table entries read, outermost first (what a shadowing host pins). */
  readonly tables: readonly bigint[];
}

const and = (p: Perm, prot: bigint): Perm => (p === 'none' ? 'none' : (prot & ZPCI_TABLE_PROTECTED) !== 0n ? 'ro' : p);

/** A walk's result without a translation: error `error` (0: an invalid entry), reaching `len`. */
function noTranslation(error: number, iova: bigint, len: bigint, tables: readonly bigint[]): WalkResult {
  return { error, iova, translated: 0n, len, perm: 'none', tables };
}

/**
 * Walks the guest tables rooted at `iota` for `iova`. Never throws, whatever the guest wrote.
 * Walked in numbers (entries as 32-bit halves) wherever every address involved stays below 2^53
 * and no entry straddles a page, else in u64 bigints: the same result either way (tested). An
 * RPCIT walks once per page it refreshes, and a bigint walk made some forty bigints.
 */
export function walkGuestTable(pool: FramePool, resolve: PageResolver, iota: bigint, addr: bigint): WalkResult {
  return walkInNumbers(pool, resolve, iota, addr) ?? walkGuestTableU64(pool, resolve, iota, addr);
}

const TWO32 = 2 ** 32;
/** An entry's high half must stay below this for its address field to be an exact number. */
const HI_EXACT = 2 ** 21;

/** One entry's halves, read by readHalves (undefined from it: the entry straddles two pages). */
const entry = { hi: 0, lo: 0 };

/** The big-endian u64 at guest address `ga` into `entry`: 0 where the page has no frame; false when the entry straddles a page. */
function readHalves(pool: FramePool, resolve: PageResolver, ga: number): boolean {
  const off = ga % PAGE_SIZE;
  if (off > PAGE_SIZE - 8) return false;
  const pfn = resolve(Math.floor(ga / PAGE_SIZE));
  if (pfn === undefined) {
    entry.hi = 0;
    entry.lo = 0;
    return true;
  }
  const bytes = frameForRead(pool, pfn);
  entry.hi = readU32(bytes, off, S390_ENDIAN);
  entry.lo = readU32(bytes, off + 4, S390_ENDIAN);
  return true;
}

/** An entry's address field (the low half under `loMask`), or -1 when it is not an exact number. */
const addressOf = (hi: number, lo: number, loMask: number): number => (hi >= HI_EXACT ? -1 : hi * TWO32 + ((lo & loMask) >>> 0));

const andN = (p: Perm, lo: number): Perm => (p === 'none' ? 'none' : (lo & LO_PROTECTED) !== 0 ? 'ro' : p);
const LO_PROTECTED = Number(ZPCI_TABLE_PROTECTED);
const LO_INVALID = Number(ZPCI_TABLE_INVALID);
const LO_PTE_INVALID = Number(ZPCI_PTE_INVALID);
const LO_FC = Number(ZPCI_TABLE_FC);
const LO_RTTO_FLAG = Number(ZPCI_IOTA_RTTO_FLAG);
const EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** The table entries a walk read, as its result lists them (made only when it returns). */
const tablesOf = (...addrs: number[]): bigint[] => addrs.map(BigInt);

/** walkGuestTable in numbers; undefined where it must be walked in bigints. */
function walkInNumbers(pool: FramePool, resolve: PageResolver, iota: bigint, addr: bigint): WalkResult | undefined {
  if (addr < 0n || addr >= ZPCI_TABLE_SIZE_RT || iota < 0n || iota > EXACT) return undefined;
  const a = Number(addr);
  const iova = addr & ~0xfffn;
  const io = Number(iota);
  let perm: Perm = (io % PAGE_SIZE & LO_PROTECTED) !== 0 ? 'ro' : 'rw';
  // the root's origin: the IOTA less its flag bits (0x804), which lie in its low 12 bits.
  const rto = io - (io % PAGE_SIZE & LO_RTTO_FLAG);
  const rteAddr = rto + (Math.floor(a / 2 ** 31) % ZPCI_TABLE_ENTRIES) * 8;
  if (rteAddr > Number.MAX_SAFE_INTEGER || !readHalves(pool, resolve, rteAddr)) return undefined;
  let { hi, lo } = entry;
  if (hi === 0 && lo === 0) return noTranslation(PEC.INVALTE, iova, FRAME_REGION, [BigInt(rteAddr)]);
  if ((lo & LO_INVALID) !== 0) return noTranslation(0, iova, FRAME_REGION, [BigInt(rteAddr)]);
  if ((lo & 0x3) !== 0x3 || (lo & 0xc0) !== 0) return noTranslation(PEC.INVALTL, iova, FRAME_REGION, [BigInt(rteAddr)]);
  const sto = (lo & 0xc) === 0x4 ? addressOf(hi, lo, ~0x3fff) : 0;
  if (sto < 0) return undefined;
  if (sto === 0) return noTranslation(PEC.TT, iova, FRAME_REGION, [BigInt(rteAddr)]);
  perm = andN(perm, lo);

  const steAddr = sto + (Math.floor(a / 2 ** 20) % ZPCI_TABLE_ENTRIES) * 8;
  if (steAddr > Number.MAX_SAFE_INTEGER || !readHalves(pool, resolve, steAddr)) return undefined;
  ({ hi, lo } = entry);
  if (hi === 0 && lo === 0) return noTranslation(PEC.INVALTE, iova, FRAME_SEGMENT, tablesOf(rteAddr, steAddr));
  if ((lo & LO_INVALID) !== 0) return noTranslation(0, iova, FRAME_SEGMENT, tablesOf(rteAddr, steAddr));
  const pto = (lo & 0xc) === 0 ? addressOf(hi, lo, ~0x7ff) : 0;
  if (pto < 0) return undefined;
  if (pto === 0) return noTranslation(PEC.TT, iova, FRAME_SEGMENT, tablesOf(rteAddr, steAddr));
  perm = andN(perm, lo);
  if ((lo & LO_FC) !== 0) {
    const frame = addressOf(hi, lo, ~0xfffff);
    if (frame < 0) return undefined;
    // the 1 MiB frame's address with the IOVA's page within it.
    const within = (a % 2 ** 20) - (a % PAGE_SIZE);
    return { error: 0, iova, translated: BigInt(frame + within), len: FRAME_SEGMENT, perm, tables: tablesOf(rteAddr, steAddr) };
  }

  const pteAddr = pto + (Math.floor(a / PAGE_SIZE) % ZPCI_PT_ENTRIES) * 8;
  if (pteAddr > Number.MAX_SAFE_INTEGER || !readHalves(pool, resolve, pteAddr)) return undefined;
  ({ hi, lo } = entry);
  if (hi === 0 && lo === 0) return noTranslation(PEC.INVALTE, iova, FRAME_PAGE, tablesOf(rteAddr, steAddr, pteAddr));
  if ((lo & LO_PTE_INVALID) !== 0) return noTranslation(0, iova, FRAME_PAGE, tablesOf(rteAddr, steAddr, pteAddr));
  const pa = addressOf(hi, lo, ~0xfff);
  if (pa < 0) return undefined;
  // QEMU quirk kept: a valid PTE whose frame address is 0 is a table-type error.
  if (pa === 0) return noTranslation(PEC.TT, iova, FRAME_PAGE, tablesOf(rteAddr, steAddr, pteAddr));
  return { error: 0, iova, translated: BigInt(pa), len: FRAME_PAGE, perm: andN(perm, lo), tables: tablesOf(rteAddr, steAddr, pteAddr) };
}

/** walkGuestTable in u64 bigints, for any IOTA and entry (exported for the test that holds the number walk to it). */
export function walkGuestTableU64(pool: FramePool, resolve: PageResolver, iota: bigint, addr: bigint): WalkResult {
  const iova = addr & ~0xfffn;
  // at most three entries are read: the list is made at its length (a push onto [] reserves 17).
  if (addr >= ZPCI_TABLE_SIZE_RT) return noTranslation(PEC.OORANGE, iova, FRAME_REGION, []);
  let perm: Perm = (iota & ZPCI_TABLE_PROTECTED) !== 0n ? 'ro' : 'rw';

  const rto = iota & ~ZPCI_IOTA_RTTO_FLAG & ((1n << 64n) - 1n);
  const rteAddr = rto + BigInt(rtx(addr)) * 8n;
  let tables = [rteAddr];
  const rte = readU64Through(pool, resolve, rteAddr, S390_ENDIAN);
  if (rte === 0n) return noTranslation(PEC.INVALTE, iova, FRAME_REGION, tables);
  if ((rte & ZPCI_TABLE_INVALID) !== 0n) return noTranslation(0, iova, FRAME_REGION, tables);
  if ((rte & ZPCI_TABLE_LEN_MASK) !== ZPCI_TABLE_LEN_RTX || (rte & ZPCI_TABLE_OFFSET_MASK) !== 0n) return noTranslation(PEC.INVALTL, iova, FRAME_REGION, tables);
  const sto = (rte & ZPCI_TABLE_TYPE_MASK) === ZPCI_TABLE_TYPE_RTX ? rte & ZPCI_RTE_ADDR_MASK : 0n;
  if (sto === 0n) return noTranslation(PEC.TT, iova, FRAME_REGION, tables);
  perm = and(perm, rte);

  const steAddr = sto + BigInt(sx(addr)) * 8n;
  tables = [rteAddr, steAddr];
  const ste = readU64Through(pool, resolve, steAddr, S390_ENDIAN);
  if (ste === 0n) return noTranslation(PEC.INVALTE, iova, FRAME_SEGMENT, tables);
  if ((ste & ZPCI_TABLE_INVALID) !== 0n) return noTranslation(0, iova, FRAME_SEGMENT, tables);
  const pto = (ste & ZPCI_TABLE_TYPE_MASK) === ZPCI_TABLE_TYPE_SX ? ste & ZPCI_STE_ADDR_MASK : 0n;
  if (pto === 0n) return noTranslation(PEC.TT, iova, FRAME_SEGMENT, tables);
  perm = and(perm, ste);
  if ((ste & ZPCI_TABLE_FC) !== 0n) {
    return { error: 0, iova, translated: ((ste & ZPCI_SFAA_MASK) | (addr & 0xfffffn)) & ~0xfffn, len: FRAME_SEGMENT, perm, tables };
  }

  const pteAddr = pto + BigInt(px(addr)) * 8n;
  tables = [rteAddr, steAddr, pteAddr];
  const pte = readU64Through(pool, resolve, pteAddr, S390_ENDIAN);
  if (pte === 0n) return noTranslation(PEC.INVALTE, iova, FRAME_PAGE, tables);
  if ((pte & ZPCI_PTE_INVALID) !== 0n) return noTranslation(0, iova, FRAME_PAGE, tables);
  const pa = pte & ZPCI_PTE_ADDR_MASK;
  // QEMU quirk kept: a valid PTE whose frame address is 0 is a table-type error.
  if (pa === 0n) return noTranslation(PEC.TT, iova, FRAME_PAGE, tables);
  return { error: 0, iova, translated: pa, len: FRAME_PAGE, perm: and(perm, pte), tables };
}

/** Every valid guest translation with IOVA in [start, end), by walking and skipping what the tables do not map. */
export function guestTranslations(pool: FramePool, resolve: PageResolver, iota: bigint, start: bigint, end: bigint): Map<bigint, { translated: bigint; perm: Perm }> {
  const out = new Map<bigint, { translated: bigint; perm: Perm }>();
  let addr = start & ~0xfffn;
  const stop = end < ZPCI_TABLE_SIZE_RT ? end : ZPCI_TABLE_SIZE_RT;
  while (addr < stop) {
    const r = walkGuestTable(pool, resolve, iota, addr);
    if (r.error) break;
    if (r.perm === 'none') {
      // skip to the next entry of the level that was invalid (aligned, unlike QEMU's loop).
      addr = (addr & ~(r.len - 1n)) + r.len;
      continue;
    }
    // an FC segment maps its whole 1 MiB frame: one entry per 4 KiB page.
    const frameEnd = r.len === FRAME_PAGE ? addr + FRAME_PAGE : (addr & ~(r.len - 1n)) + r.len;
    for (let a = addr, pa = r.translated; a < frameEnd && a < stop; a += FRAME_PAGE, pa += FRAME_PAGE) out.set(a, { translated: pa, perm: r.perm });
    addr = frameEnd;
  }
  return out;
}
