/**
 * The kernel version a log runs against (host.boot's `kernel`), for the calls whose answer
 * changed across releases. Versions are compared as major * 1000 + minor. Each behaviour change
 * the model follows is listed here once, with its source; the README's table is this list.
 */

/** What a log without host.boot, or a host.boot without `kernel`, runs against. */
export const DEFAULT_KERNEL = '6.12';

/** "6.12" → 6012; undefined for anything but MAJOR.MINOR. */
export function parseKernel(text: string): number | undefined {
  const m = /^(\d{1,2})\.(\d{1,3})$/.exec(text);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : undefined;
}

export const DEFAULT_KERNEL_CODE = parseKernel(DEFAULT_KERNEL)!;

/** 6012 → "6.12". */
export function kernelText(code: number): string {
  return `${Math.floor(code / 1000)}.${code % 1000}`;
}

/**
 * tce_iommu_unregister_pages takes its own reference (mm_iommu_get) around the put, so the final
 * put's -EBUSY for a region still mapped is dropped and the ioctl returns 0 ("powerpc/mm/iommu/
 * vfio_spapr_tce: Change mm_iommu_get to reference a region", 2018-12, merged for v5.0). Before,
 * mm_iommu_put's -EBUSY was the ioctl's answer.
 */
export const SPAPR_UNREGISTER_KEEPS_MAPPED = 5000;

/**
 * vfio_iommu_type1's wrap checks use check_add_overflow and answer -EOVERFLOW (commit 6012379ede6a
 * "vfio/type1: sanitize for overflow using check_*_overflow()", Alex Mastro, v6 of the series
 * posted 2025-10-28 <20251028-fix-unmap-v6-1-2542b96bcc8e@fb.com>; the merge release is
 * UNVERIFIED and taken as v6.19, the merge window after it). Before, -EINVAL.
 */
export const TYPE1_WRAP_EOVERFLOW = 6019;
