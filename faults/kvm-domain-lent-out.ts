/**
 * The "lent out to KVM" flag design: the domain KVM shadows into keeps the paging domain's ops,
 * which never look at the flag, so userspace MAP/UNMAP_DMA still go through. Written as the
 * domain-owner machine with its `ownerChecked` guard false: `vkm graph --machine domain-owner
 * --variant kvm-domain-lent-out` draws the KVM-owned state accepting USER_MAP.
 */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-domain-lent-out',
  base: 'kvm-owned-domain',
  description: 'the KVM-owned domain shares its ops with userspace map/unmap (the "lent out to KVM" flag)',
  scenario: 'kvm-domain-lent',
  property: 'kvm-domain-exclusive',
  machines: { 'domain-owner': { guards: { ownerChecked: () => false } } },
});
