/**
 * Byte layout of the host IOMMU page table used by type1 domains in this model: the Intel VT-d
 * second-stage format (VT-d spec §9.8): 4 levels of 512 little-endian u64 entries per 4 KiB
 * table, 48-bit input addresses, 4 KiB leaves only. An entry is present when R or W is set;
 * permissions are the AND over all levels, so non-leaf entries carry R|W.
 */
import type { Endian, Field } from '../../memory/bits.js';

export const VTD_ENDIAN: Endian = 'le';
export const VTD_LEVELS = 4;
export const VTD_INDEX_BITS = 9;
export const VTD_ENTRIES = 1 << VTD_INDEX_BITS;
export const VTD_ENTRY_SIZE = 8;
/** Input address width: IOVAs at or above 2^48 are outside the aperture. */
export const VTD_ADDR_WIDTH = 48;
export const VTD_APERTURE_END = (1n << 48n) - 1n;

export const SL_R = 1n << 0n;
export const SL_W = 1n << 1n;
/** Superpage bit; never set by this model (4 KiB leaves only) and treated as malformed if seen. */
export const SL_PS = 1n << 7n;
export const SL_ADDR: Field = { name: 'addr', shift: 12, width: 40 };
export const SL_ADDR_MASK = ((1n << 52n) - 1n) & ~0xfffn;

/** Table index of an IOVA page number at `level` (4 = root … 1 = leaf table). */
export function vtdIndex(iovaPage: number, level: number): number {
  // page numbers reach 2^36 here, beyond 32-bit shifts, so divide instead of >>.
  return Math.floor(iovaPage / 2 ** (VTD_INDEX_BITS * (level - 1))) % VTD_ENTRIES;
}
