/**
 * The guest DMA-table walk of QEMU's s390_guest_io_table_walk / table_translate (kernel-facts
 * §2.4), reading big-endian entries from guest memory. Pure: the reader is passed in. Deviation
 * from QEMU, as §1.1 advises: an IOVA at or above 4 TiB is out of range instead of aliasing.
 */
import { readU64Through, type PageResolver } from '../../memory/phys.js';
import type { FramePool } from '../../memory/frames.js';
import {
  FRAME_PAGE, FRAME_REGION, FRAME_SEGMENT, PEC, S390_ENDIAN, ZPCI_IOTA_RTTO_FLAG, ZPCI_PTE_ADDR_MASK, ZPCI_PTE_INVALID,
  ZPCI_RTE_ADDR_MASK, ZPCI_SFAA_MASK, ZPCI_STE_ADDR_MASK, ZPCI_TABLE_FC, ZPCI_TABLE_INVALID, ZPCI_TABLE_LEN_MASK,
  ZPCI_TABLE_LEN_RTX, ZPCI_TABLE_OFFSET_MASK, ZPCI_TABLE_PROTECTED, ZPCI_TABLE_SIZE_RT, ZPCI_TABLE_TYPE_MASK,
  ZPCI_TABLE_TYPE_RTX, ZPCI_TABLE_TYPE_SX, px, rtx, sx,
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

/** Walks the guest tables rooted at `iota` for `iova`. Never throws, whatever the guest wrote. */
export function walkGuestTable(pool: FramePool, resolve: PageResolver, iota: bigint, addr: bigint): WalkResult {
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
