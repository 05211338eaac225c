/**
 * The result a reducer step records: the kernel's own code ("OK", an errno, a hypercall return
 * code, an IOMMU fault) plus what the call returned. A refused call always leaves state unchanged.
 */

export interface Outcome {
  readonly code: string;
  /** A returned scalar: unmapped size, a status register, ... */
  readonly value?: bigint;
  /** Bytes returned by a read. */
  readonly data?: Uint8Array;
}

export const OK: Outcome = { code: 'OK' };

export function refused(code: string): Outcome {
  return { code };
}

export function isOk(o: Outcome): boolean {
  return o.code === 'OK';
}

/** DMA fault codes, named after what the IOMMU reports. */
export const FAULT = {
  notPresent: 'IOMMU_FAULT_NOT_PRESENT',
  write: 'IOMMU_FAULT_WRITE',
  read: 'IOMMU_FAULT_READ',
  blocked: 'IOMMU_FAULT_BLOCKED',
} as const;
