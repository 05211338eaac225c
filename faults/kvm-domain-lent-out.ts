/** The "lent out to KVM" flag design: the KVM domain shares the paging domain's ops, userspace map/unmap included. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-domain-lent-out',
  base: 'kvm-owned-domain',
  description: 'the KVM-owned domain shares its ops with userspace map/unmap (the "lent out to KVM" flag)',
  scenario: 'kvm-domain-lent',
  property: 'kvm-domain-exclusive',
  ops: { iommu: { domain_owner_check: () => () => undefined } },
});
