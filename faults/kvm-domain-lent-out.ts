/**
 * The "lent out to KVM" flag design as the thread feared it: the type1 paging domain is lent to
 * KVM while a zPCI function's IOAT is registered, but it keeps the paging domain's ops, which
 * never look at the flag, so userspace MAP/UNMAP_DMA still go through. Written as the
 * domain-owner machine with its `ownerChecked` guard false: `vkm graph --machine domain-owner
 * --variant kvm-domain-lent-out` draws the lent state accepting USER_MAP.
 */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-domain-lent-out',
  base: 'kvm-domain-lent-flag',
  description: 'the "lent out to KVM" flag the shared paging ops never check: userspace map/unmap go through while KVM owns the domain',
  scenario: 'kvm-domain-lent',
  params: { F: 1 },
  property: 'kvm-domain-exclusive',
  machines: { 'domain-owner': { guards: { ownerChecked: () => false } } },
});
