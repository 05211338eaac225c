/**
 * Who owns an IOMMU domain's translations, and so which callers may map and unmap it
 * (kernel-facts §6, the v4 zPCI series): the DMA-API default domain (the kernel's dma_map_*);
 * an unmanaged domain that VFIO type1 maps for userspace (MAP/UNMAP_DMA); a KVM-owned domain
 * (VFIO_KVM_IOMMU, IOMMU_DOMAIN_KVM with its own ops: only KVM's shadowing writes it). The
 * alternative the thread weighed, a flag on the shared paging domain marking it "lent out to
 * KVM", is the `lent` state: when a zPCI function registers its IOAT, KVM takes the container's
 * paging domain over (LEND), and gives it back when the IOAT goes (RETURN). Whether a design
 * lends at all is the `lendable` guard (the reference and the v4 design do not: KVM shadows into
 * the domain it has; kvm-domain-lent-flag does). Whether userspace maps are refused while KVM
 * owns the domain is the `ownerChecked` guard: with its own ops, or with the flag checked, they
 * are (EINVAL, as domain_owner_check answers); a flag the shared paging ops never look at lets
 * them through (the kvm-domain-lent-out fault).
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type DomainOwnerEvent =
  | { type: 'ALLOC_DMA_API' }
  | { type: 'ALLOC_UNMANAGED' }
  | { type: 'ALLOC_KVM' }
  | { type: 'DMA_API_MAP' }
  | { type: 'USER_MAP' }
  | { type: 'USER_UNMAP' }
  | { type: 'KVM_MAP' }
  | { type: 'KVM_UNMAP' }
  | { type: 'LEND' }
  | { type: 'RETURN' }
  | { type: 'FREE' };

export const domainOwnerMachine = setup({
  types: { events: {} as DomainOwnerEvent },
  actions: { refuse: refuseAction, freeTables: () => {} },
  guards: { ownerChecked: () => true, lendable: () => false },
}).createMachine({
  id: 'domain-owner',
  initial: 'allocated',
  on: { '*': refuse('EINVAL') },
  states: {
    // iommu_domain_alloc picks the type, and with it the ops: who may map is fixed from here.
    allocated: {
      on: { ALLOC_DMA_API: 'dma-api', ALLOC_UNMANAGED: 'userspace', ALLOC_KVM: 'kvm' },
    },
    // the group's default domain: only the kernel's DMA API maps it (VFIO claims the group away from it first).
    'dma-api': {
      on: { DMA_API_MAP: 'dma-api' },
    },
    userspace: {
      on: {
        USER_MAP: 'userspace',
        USER_UNMAP: 'userspace',
        LEND: [{ guard: 'lendable', target: 'lent' }, { target: 'userspace' }],
        RETURN: 'userspace',
        FREE: { target: 'freed', actions: 'freeTables' },
      },
    },
    kvm: {
      on: {
        KVM_MAP: 'kvm',
        KVM_UNMAP: 'kvm',
        USER_MAP: [{ guard: 'ownerChecked', actions: { type: 'refuse', params: { code: 'EINVAL' } } }, { target: 'kvm' }],
        // type1 walks its own vfio_dma list, which holds nothing userspace could map here.
        USER_UNMAP: 'kvm',
        FREE: { target: 'freed', actions: 'freeTables' },
      },
    },
    lent: {
      on: {
        KVM_MAP: 'lent',
        KVM_UNMAP: 'lent',
        USER_MAP: [{ guard: 'ownerChecked', actions: { type: 'refuse', params: { code: 'EINVAL' } } }, { target: 'lent' }],
        USER_UNMAP: [{ guard: 'ownerChecked', actions: { type: 'refuse', params: { code: 'EINVAL' } } }, { target: 'lent' }],
        RETURN: 'userspace',
        FREE: { target: 'freed', actions: 'freeTables' },
      },
    },
    // the container that held it is released: whoever would map has a closed fd.
    freed: {
      on: { '*': refuse('EBADF') },
    },
  },
});
