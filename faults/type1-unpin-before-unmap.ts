/** type1 unpins a vfio_dma's pages before its translations are removed (they go at a later, lazy IOTLB sync). */
import { opsOf, registerFault } from '../src/index.js';

export default registerFault({
  name: 'type1-unpin-before-unmap',
  description: 'type1 unmap unpins the pages before removing the translation and syncing the IOTLB',
  scenario: 'type1-unmap',
  property: 'no-iova-to-unpinned-page',
  ops: {
    vfio_iommu_type1: {
      unmap_unpin: () => (w, t1, dma) => {
        // the translations are left for host.iommu.sync; the pages go now.
        t1.pendingSync = [...(t1.pendingSync ?? []), { iovaPage: dma.iovaPage, pages: dma.pages }];
        opsOf(w).vfio_iommu_type1.unpin_pages_remote(w, dma);
      },
    },
  },
});
