/** KVM's TLB flushes never reach the IOMMU walking its table. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'stage2-flush-cpu-only',
  base: 'stage2-shared',
  description: "stage2-shared: KVM's TLB flushes reach the CPUs but not the IOMMU's IOTLB, so a deleted memslot's pages are unpinned while the device still caches them",
  scenario: 'stage2-shared',
  params: { S: 1 },
  property: 'iotlb-coherence',
  ops: { kvm_mmu: { flush_remote_tlbs: () => () => undefined } },
});
