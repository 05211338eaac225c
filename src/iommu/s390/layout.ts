/**
 * s390 zPCI DMA translation tables, kernel-facts §1 (arch/s390/include/asm/pci_dma.h, QEMU
 * include/hw/s390x/s390-pci-bus.h): region-third → segment → page table, big-endian u64 entries.
 * Masks are LSB-0. Every bit the model reads or writes is named here and nowhere else.
 */
import type { Endian } from '../../memory/bits.js';

export const S390_ENDIAN: Endian = 'be';

export const ZPCI_TABLE_BITS = 11;
export const ZPCI_PT_BITS = 8;
export const ZPCI_ST_SHIFT = 20n;
export const ZPCI_RT_SHIFT = 31n;
export const ZPCI_INDEX_MASK = 0x7ffn;
export const ZPCI_PT_MASK = 0xffn;
export const ZPCI_TABLE_ENTRIES = 2048;
export const ZPCI_PT_ENTRIES = 256;
/** Region and segment tables: 16 KiB, 16 KiB aligned. */
export const ZPCI_TABLE_SIZE = 0x4000;
/** Page tables: 2 KiB, 2 KiB aligned. */
export const ZPCI_PT_SIZE = 0x800;
/** Span of a region-third-rooted walk: IOVAs at or above 4 TiB would alias, so they are out of range. */
export const ZPCI_TABLE_SIZE_RT = 1n << 42n;

export const ZPCI_RTE_ADDR_MASK = ~0x3fffn & ((1n << 64n) - 1n);
export const ZPCI_STE_ADDR_MASK = ~0x7ffn & ((1n << 64n) - 1n);
export const ZPCI_PTE_ADDR_MASK = ~0xfffn & ((1n << 64n) - 1n);
/** Segment-frame absolute address for FC=1 segment entries (1 MiB frames). */
export const ZPCI_SFAA_MASK = ~0xfffffn & ((1n << 64n) - 1n);

export const ZPCI_TABLE_PROTECTED = 0x200n;
export const ZPCI_TABLE_INVALID = 0x20n;
export const ZPCI_PTE_INVALID = 0x400n;
/** Format control in a segment entry (QEMU): maps a 1 MiB frame directly. */
export const ZPCI_TABLE_FC = 0x400n;
export const ZPCI_TABLE_OFFSET_MASK = 0xc0n;
export const ZPCI_TABLE_TYPE_MASK = 0xcn;
export const ZPCI_TABLE_TYPE_RTX = 0x4n;
export const ZPCI_TABLE_TYPE_SX = 0x0n;
export const ZPCI_TABLE_LEN_MASK = 0x3n;
export const ZPCI_TABLE_LEN_RTX = 0x3n;

/**
 * The same bits and masks as they fall in an entry's low 32-bit half (every one lies there), for
 * walks that read entries as two halves instead of one bigint.
 */
export const LO = {
  INVALID: Number(ZPCI_TABLE_INVALID),
  PTE_INVALID: Number(ZPCI_PTE_INVALID),
  PROTECTED: Number(ZPCI_TABLE_PROTECTED),
  TYPE_MASK: Number(ZPCI_TABLE_TYPE_MASK),
  TYPE_RTX: Number(ZPCI_TABLE_TYPE_RTX),
  TYPE_SX: Number(ZPCI_TABLE_TYPE_SX),
  RTE_ADDR: Number(ZPCI_RTE_ADDR_MASK & 0xffffffffn),
  STE_ADDR: Number(ZPCI_STE_ADDR_MASK & 0xffffffffn),
} as const;

/** IOTA: enabled bit, designation type field; RTTO flag = 0x800 | 1 << 2. */
export const ZPCI_IOTA_IOT_ENABLED = 0x800n;
export const ZPCI_IOTA_RTTO_FLAG = 0x804n;
export const ZPCI_IOTA_RTTO = 1;

/** Frame sizes of a walk that stops at each level (QEMU get_frame_size). */
export const FRAME_PAGE = 1n << 12n;
export const FRAME_SEGMENT = 1n << 20n;
export const FRAME_REGION = 1n << 31n;

export const rtx = (iova: bigint) => Number((iova >> ZPCI_RT_SHIFT) & ZPCI_INDEX_MASK);
export const sx = (iova: bigint) => Number((iova >> ZPCI_ST_SHIFT) & ZPCI_INDEX_MASK);
export const px = (iova: bigint) => Number((iova >> 12n) & ZPCI_PT_MASK);

/** A freshly validated region-third entry: STO | type RTX | length 3 (kernel-facts §1.3). */
export const freshRte = (sto: bigint) => sto | ZPCI_TABLE_TYPE_RTX | ZPCI_TABLE_LEN_RTX;
/** A freshly validated segment entry: PTO, type SX, valid, unprotected. */
export const freshSte = (pto: bigint) => pto | ZPCI_TABLE_TYPE_SX;
/** A valid page entry: frame address, protection bit for read-only. */
export const validPte = (pa: bigint, readOnly: boolean) => pa | (readOnly ? ZPCI_TABLE_PROTECTED : 0n);

/** Error-event PEC codes (QEMU s390-pci-bus.h). */
export const PEC = {
  INVALAS: 0x1,
  OORANGE: 0x2,
  INVALTF: 0x3,
  TPROTE: 0x4,
  INVALTE: 0x7,
  INVALTL: 0x8,
  TT: 0x9,
} as const;
