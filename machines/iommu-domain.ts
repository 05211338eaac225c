/**
 * Which IOMMU domain an iommu group is attached to, and who owns its DMA, kernel-facts §6:
 * the default domain (DMA API translation, or identity with iommu=pt), possibly in use by a
 * kernel driver; VFIO's claim switches the group to a blocking domain; type1 then attaches it to
 * an unmanaged (paging) domain; release returns it to its default domain.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type DomainEvent =
  | { type: 'DEFAULT_IDENTITY' }
  | { type: 'KERNEL_DRIVER_BIND' }
  | { type: 'CLAIM' }
  | { type: 'ATTACH' }
  | { type: 'DETACH' }
  | { type: 'RELEASE' }
  | { type: 'RELEASE_IDENTITY' };

export const iommuDomainMachine = setup({
  types: { events: {} as DomainEvent },
  actions: { refuse: refuseAction },
}).createMachine({
  id: 'iommu-domain',
  initial: 'default',
  on: { '*': refuse('EINVAL') },
  states: {
    default: {
      on: { DEFAULT_IDENTITY: 'identity', KERNEL_DRIVER_BIND: 'default-kernel', CLAIM: 'blocked' },
    },
    identity: {
      on: { KERNEL_DRIVER_BIND: 'identity-kernel', CLAIM: 'blocked' },
    },
    // A kernel driver uses the default domain (owner_cnt > 0 with no owner): claims fail.
    'default-kernel': {
      on: { KERNEL_DRIVER_BIND: 'default-kernel', CLAIM: refuse('EPERM') },
    },
    'identity-kernel': {
      on: { KERNEL_DRIVER_BIND: 'identity-kernel', CLAIM: refuse('EPERM') },
    },
    blocked: {
      on: { CLAIM: refuse('EPERM'), ATTACH: 'unmanaged', RELEASE: 'default', RELEASE_IDENTITY: 'identity' },
    },
    unmanaged: {
      on: { CLAIM: refuse('EPERM'), DETACH: 'blocked', RELEASE: 'default', RELEASE_IDENTITY: 'identity' },
    },
  },
});
