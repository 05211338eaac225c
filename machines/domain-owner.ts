/**
 * Who owns an IOMMU domain's translations, and so which callers may map and unmap it
 * (kernel-facts §6, the v4 zPCI series): the DMA-API default domain (the kernel's dma_map_*);
 * an unmanaged domain that VFIO type1 maps for userspace (MAP/UNMAP_DMA); a KVM-owned domain
 * (VFIO_KVM_IOMMU, IOMMU_DOMAIN_KVM with its own ops: only KVM's shadowing writes it). The
 * alternative the thread weighed, a flag on the shared paging domain marking it "lent out to
 * KVM", is the `lent` state: KVM registers and takes the domain over (LEND), and gives it back
 * when it lets go (RETURN). Whether userspace maps are then refused is the `ownerChecked` guard:
 * with its own ops a KVM domain refuses them (EINVAL, as domain_owner_check does); the flag
 * design shares the paging ops, which do not look at the flag, so they go through.
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
  guards: { ownerChecked: () => true },
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
      on: { USER_MAP: 'userspace', USER_UNMAP: 'userspace', LEND: 'lent', FREE: { target: 'freed', actions: 'freeTables' } },
    },
    kvm: {
      on: {
        KVM_MAP: 'kvm',
        KVM_UNMAP: 'kvm',
        USER_MAP: [{ guard: 'ownerChecked', actions: { type: 'refuse', params: { code: 'EINVAL' } } }, { target: 'kvm' }],
        USER_UNMAP: [{ guard: 'ownerChecked', actions: { type: 'refuse', params: { code: 'EINVAL' } } }, { target: 'kvm' }],
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
    freed: {},
  },
});
