/**
 * VFIO container (/dev/vfio/vfio) lifecycle, kernel-facts §4.2. The container is kref'd: groups
 * attached to it keep it alive after its fd is closed, and removing the last group releases the
 * IOMMU driver ("deprivileges" the container).
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type ContainerEvent =
  | { type: 'GROUP_ATTACH' }
  | { type: 'GROUP_DETACH_LAST' }
  | { type: 'GROUP_DETACH_OTHER' }
  | { type: 'SET_IOMMU' }
  | { type: 'IOMMU_IOCTL' }
  | { type: 'CLOSE' };

export const vfioContainerMachine = setup({
  types: { events: {} as ContainerEvent },
  actions: { refuse: refuseAction },
}).createMachine({
  id: 'vfio-container',
  initial: 'empty',
  on: { '*': refuse('EBADF') },
  states: {
    empty: {
      on: {
        GROUP_ATTACH: 'grouped',
        SET_IOMMU: refuse('EINVAL'),
        IOMMU_IOCTL: refuse('EINVAL'),
        CLOSE: 'released',
      },
    },
    grouped: {
      on: {
        GROUP_ATTACH: 'grouped',
        GROUP_DETACH_OTHER: 'grouped',
        GROUP_DETACH_LAST: 'empty',
        SET_IOMMU: 'active',
        IOMMU_IOCTL: refuse('EINVAL'),
        CLOSE: 'orphaned-grouped',
      },
    },
    active: {
      on: {
        GROUP_ATTACH: 'active',
        GROUP_DETACH_OTHER: 'active',
        GROUP_DETACH_LAST: 'empty',
        SET_IOMMU: refuse('EINVAL'),
        IOMMU_IOCTL: 'active',
        CLOSE: 'orphaned-active',
      },
    },
    // fd closed, still referenced by attached groups; ioctls are impossible without the fd.
    'orphaned-grouped': {
      on: { GROUP_DETACH_OTHER: 'orphaned-grouped', GROUP_DETACH_LAST: 'released' },
    },
    'orphaned-active': {
      on: { GROUP_DETACH_OTHER: 'orphaned-active', GROUP_DETACH_LAST: 'released' },
    },
    released: {},
  },
});
