/** The SVA mmu notifier does nothing: the host moves a page the device still caches. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'sva-migrate-no-invalidate',
  base: 'sva-pri',
  description: 'SVA: the host moves a page without invalidating the IOMMU (the mmu notifier skipped)',
  scenario: 'sva-pri',
  property: 'iotlb-coherence',
  ops: { sva: { invalidate: () => () => undefined } },
});
