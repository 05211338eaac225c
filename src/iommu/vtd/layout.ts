/**
 * Byte layout of the host IOMMU page table used by type1 domains in this model: the Intel VT-d
 * second-stage format (VT-d spec §9.8): 4 levels of 512 little-endian u64 entries per 4 KiB
 * table, 48-bit input addresses, 4 KiB leaves only. An entry is present when R or W is set;
 * permissions are the AND over all levels, so non-leaf entries carry R|W.
 *
 * Entry bits (LSB-0): 0 R, 1 W, 7 PS (superpage), 12..51 address. The accessors below read and
 * write those fields straight from the little-endian bytes as numbers: the address field is 40
 * bits, exact in a double, and the hot paths (walks after every event) avoid bigint.
 */

export const VTD_LEVELS = 4;
export const VTD_INDEX_BITS = 9;
export const VTD_ENTRIES = 1 << VTD_INDEX_BITS;
export const VTD_ENTRY_SIZE = 8;
/** Input address width: IOVAs at or above 2^48 are outside the aperture. */
export const VTD_ADDR_WIDTH = 48;
export const VTD_APERTURE_END = (1n << 48n) - 1n;
/** IOVA page numbers below this are inside the aperture. */
export const VTD_APERTURE_PAGES = 2 ** (VTD_ADDR_WIDTH - 12);

export const SL_R = 1 << 0;
export const SL_W = 1 << 1;
export const SL_PS = 1 << 7;

/** IOVA pages spanned by one entry at each level (index = level). */
export const VTD_SPAN = [0, 1, 2 ** 9, 2 ** 18, 2 ** 27];

/** Table index of an IOVA page number at `level` (4 = root … 1 = leaf table). */
export function vtdIndex(iovaPage: number, level: number): number {
  // page numbers reach 2^36 here, beyond 32-bit shifts, so divide instead of >>.
  return Math.floor(iovaPage / VTD_SPAN[level]) % VTD_ENTRIES;
}

/** R and W bits of the entry at byte offset `off` (0 when not present). */
export function vtdPerm(bytes: Uint8Array, off: number): number {
  return bytes[off] & (SL_R | SL_W);
}

/** Whether the PS bit is set. */
export function vtdIsSuperpage(bytes: Uint8Array, off: number): boolean {
  return (bytes[off] & SL_PS) !== 0;
}

/** The address field (bits 12..51) of the entry at `off`, as a page frame number. */
export function vtdPfn(bytes: Uint8Array, off: number): number {
  return (
    (bytes[off + 1] >> 4) +
    bytes[off + 2] * 0x10 +
    bytes[off + 3] * 0x1000 +
    bytes[off + 4] * 0x100000 +
    bytes[off + 5] * 0x10000000 +
    (bytes[off + 6] & 0xf) * 0x1000000000
  );
}

/** Writes a present entry (address and R/W) or, with perm 0, clears it to all-zero bytes. */
export function vtdWriteEntry(bytes: Uint8Array, off: number, pfn: number, perm: number): void {
  if (perm === 0) {
    bytes.fill(0, off, off + VTD_ENTRY_SIZE);
    return;
  }
  bytes[off] = perm & (SL_R | SL_W);
  bytes[off + 1] = (pfn & 0xf) << 4;
  bytes[off + 2] = Math.floor(pfn / 0x10) & 0xff;
  bytes[off + 3] = Math.floor(pfn / 0x1000) & 0xff;
  bytes[off + 4] = Math.floor(pfn / 0x100000) & 0xff;
  bytes[off + 5] = Math.floor(pfn / 0x10000000) & 0xff;
  bytes[off + 6] = Math.floor(pfn / 0x1000000000) & 0xf;
  bytes[off + 7] = 0;
}
