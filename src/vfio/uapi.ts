/** VFIO uAPI constants (include/uapi/linux/vfio.h), kernel-facts §4.1, §5.1 and §7.6. */

export const VFIO_TYPE1_IOMMU = 1;
export const VFIO_TYPE1v2_IOMMU = 3;
export const VFIO_SPAPR_TCE_v2_IOMMU = 7;
/** Proposed in the v4 zPCI series (patch 15/32), never merged: KVM, not userspace, controls the mappings. */
export const VFIO_KVM_IOMMU = 11;

export const VFIO_DMA_MAP_FLAG_READ = 1 << 0;
export const VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;
export const VFIO_DMA_MAP_FLAG_VADDR = 1 << 2;
export const DMA_MAP_MINSZ = 32;

export const VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1 << 0;
export const VFIO_DMA_UNMAP_FLAG_ALL = 1 << 1;
export const VFIO_DMA_UNMAP_FLAG_VADDR = 1 << 2;
export const DMA_UNMAP_MINSZ = 24;
