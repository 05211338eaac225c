/**
 * Byte layout of KVM's stage-2 table in this model: the x86 EPT format (Intel SDM vol. 3C,
 * "EPT translation mechanism"): 4 levels of 512 little-endian u64 entries per 4 KiB table, 48-bit
 * guest-physical input, 4 KiB leaves only.
 *
 * Entry bits (LSB-0): 0 R, 1 W, 2 X, 3..5 memory type (leaves; 6 = write-back), 7 PS, 8 A,
 * 9 D (with A/D bits enabled), 12..51 address. VT-d's second stage keeps its own A/D bits at the
 * same positions when SLADE is on, so an IOMMU walking the table can set D too. An EPT entry's R/W bits, PS bit and address field sit where the VT-d second-stage
 * format puts them (iommu/vtd/layout.ts), and a VT-d walker ignores X and the memory type: that
 * is what lets an IOMMU walk KVM's own table (the stage2-shared design). So the address and the
 * R/W bits are read and written through the VT-d accessors, and only the EPT-only bits live here.
 */
import { SL_R, SL_W, vtdPerm, vtdPfn, vtdWriteEntry } from '../../iommu/vtd/layout.js';

export { VTD_ENTRY_SIZE as EPT_ENTRY_SIZE, VTD_LEVELS as EPT_LEVELS, vtdIndex as eptIndex } from '../../iommu/vtd/layout.js';

export const EPT_R = SL_R;
export const EPT_W = SL_W;
export const EPT_X = 1 << 2;
/** Memory type write-back (6) in bits 3..5, as KVM sets it for RAM leaves. */
export const EPT_MT_WB = 6 << 3;

/** R/W of the entry at `off` (0 when not present; KVM never writes execute-only entries). */
export const eptPerm = vtdPerm;
export const eptPfn = vtdPfn;

/** A non-leaf entry: KVM grants R|W|X and lets the leaves decide. */
export function eptWriteTable(bytes: Uint8Array, off: number, pfn: number): void {
  vtdWriteEntry(bytes, off, pfn, SL_R | SL_W);
  bytes[off] |= EPT_X;
}

/** A 4 KiB leaf for guest RAM: R|X, W unless write-protected, write-back. */
export function eptWriteLeaf(bytes: Uint8Array, off: number, pfn: number, writable: boolean): void {
  vtdWriteEntry(bytes, off, pfn, SL_R | (writable ? SL_W : 0));
  bytes[off] |= EPT_X | EPT_MT_WB;
}

/** Clears W in place (write-protection for dirty logging); the rest of the entry stays. */
export function eptClearWrite(bytes: Uint8Array, off: number): void {
  bytes[off] &= ~EPT_W;
}

/** Sets W in place (a write fault KVM resolved). */
export function eptSetWrite(bytes: Uint8Array, off: number): void {
  bytes[off] |= EPT_W;
}

/** The dirty bit (bit 9: bit 1 of byte 1). */
const EPT_D_BYTE = 1;
const EPT_D_MASK = 1 << 1;

export function eptDirty(bytes: Uint8Array, off: number): boolean {
  return (bytes[off + EPT_D_BYTE] & EPT_D_MASK) !== 0;
}

export function eptSetDirty(bytes: Uint8Array, off: number): void {
  bytes[off + EPT_D_BYTE] |= EPT_D_MASK;
}

export function eptClearDirty(bytes: Uint8Array, off: number): void {
  bytes[off + EPT_D_BYTE] &= ~EPT_D_MASK;
}

/** Zaps an entry to all-zero bytes. */
export function eptClear(bytes: Uint8Array, off: number): void {
  vtdWriteEntry(bytes, off, 0, 0);
}
