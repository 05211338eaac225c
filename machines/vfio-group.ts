/**
 * VFIO group (/dev/vfio/$N) lifecycle, kernel-facts §4.2, following the 6.x group code: a single
 * opener; SET_CONTAINER makes the group a container user; each device fd is one more container
 * user. Device fds and KVM-VFIO FILE_ADD hold references on the group file, so closing the group
 * fd while they exist defers its release (which leaves the container) until the last is dropped,
 * and a reopen meanwhile is EBUSY.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type GroupEvent =
  | { type: 'OPEN' }
  | { type: 'CLOSE_LAST_REF' }
  | { type: 'CLOSE_WITH_REFS' }
  | { type: 'SET_CONTAINER' }
  | { type: 'UNSET_CONTAINER' }
  | { type: 'DEVICE_OPEN' }
  | { type: 'DEVICE_CLOSE_LAST' }
  | { type: 'DEVICE_CLOSE_OTHER' }
  | { type: 'PUT_LAST' }
  | { type: 'PUT_OTHER' };

export const vfioGroupMachine = setup({
  types: { events: {} as GroupEvent },
  actions: { refuse: refuseAction, release: () => {} },
}).createMachine({
  id: 'vfio-group',
  initial: 'closed',
  on: { '*': refuse('EBADF') },
  states: {
    closed: { on: { OPEN: 'open' } },
    open: {
      on: {
        OPEN: refuse('EBUSY'),
        CLOSE_LAST_REF: { target: 'closed', actions: 'release' },
        CLOSE_WITH_REFS: 'orphaned',
        SET_CONTAINER: 'attached',
        UNSET_CONTAINER: refuse('EINVAL'),
        DEVICE_OPEN: refuse('EINVAL'),
      },
    },
    attached: {
      on: {
        OPEN: refuse('EBUSY'),
        CLOSE_LAST_REF: { target: 'closed', actions: 'release' },
        CLOSE_WITH_REFS: 'orphaned',
        SET_CONTAINER: refuse('EINVAL'),
        UNSET_CONTAINER: 'open',
        DEVICE_OPEN: 'in-use',
      },
    },
    'in-use': {
      on: {
        OPEN: refuse('EBUSY'),
        CLOSE_WITH_REFS: 'orphaned',
        SET_CONTAINER: refuse('EINVAL'),
        UNSET_CONTAINER: refuse('EBUSY'),
        DEVICE_OPEN: 'in-use',
        DEVICE_CLOSE_OTHER: 'in-use',
        DEVICE_CLOSE_LAST: 'attached',
      },
    },
    // group fd closed, the file still referenced by device fds or KVM.
    orphaned: {
      on: {
        OPEN: refuse('EBUSY'),
        PUT_OTHER: 'orphaned',
        PUT_LAST: { target: 'closed', actions: 'release' },
      },
    },
  },
});
