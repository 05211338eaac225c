/**
 * sPAPR TCE constants (kernel-facts §7.1, arch/powerpc/include/asm/tce.h, hvcall.h): the TCE entry
 * (permission bits 0 and 1, the rest an address), hypercall return codes, and KVM's table geometry.
 */
import type { Endian } from '../memory/bits.js';

export const TCE_PCI_READ = 0x1n;
export const TCE_PCI_WRITE = 0x2n;
export const TCE_PERM_MASK = 0x3n;

/** KVM stores the guest-visible table in host order; this model's POWER host is little-endian. */
export const KVM_TCE_ENDIAN: Endian = 'le';
/** The hardware TCE tables VFIO writes, in the little-endian POWER host's order. */
export const HW_TCE_ENDIAN: Endian = 'le';
/** H_PUT_TCE_INDIRECT lists in guest memory are big-endian. */
export const TCE_LIST_ENDIAN: Endian = 'be';

/** H_PUT_TCE_INDIRECT: at most 512 TCEs, the list 4 KiB aligned so it fits one page. */
export const TCE_LIST_MAX = 512;
/** sizeof(struct kvmppc_spapr_tce_table) in this model (the kernel's varies by config). */
export const STT_STRUCT_BYTES = 128;

export const H = {
  SUCCESS: 'H_SUCCESS',
  HARDWARE: 'H_HARDWARE',
  PARAMETER: 'H_PARAMETER',
  /** KVM-internal: hand the hypercall to the VMM; never returned to the guest. */
  TOO_HARD: 'H_TOO_HARD',
} as const;
export type HCode = (typeof H)[keyof typeof H];

/** kvmppc_tce_pages: backing pages for `size` TCEs. */
export function tcePages(size: bigint): bigint {
  return (size * 8n + 4095n) / 4096n;
}

/** kvmppc_stt_pages: what KVM_CREATE_SPAPR_TCE_64 charges to locked_vm up front. */
export function sttPages(tcePagesN: bigint): bigint {
  return tcePagesN + (BigInt(STT_STRUCT_BYTES) + tcePagesN * 8n + 4095n) / 4096n;
}

/** Table size in pages for a window (get_table_size, one level); 0 when the geometry is invalid. */
export function tablePages(pageShift: number, windowSize: bigint): number {
  if (windowSize === 0n || (windowSize & (windowSize - 1n)) !== 0n || windowSize < 1n << BigInt(pageShift)) return 0;
  const entries = windowSize >> BigInt(pageShift);
  return Number((entries * 8n + 4095n) / 4096n);
}
