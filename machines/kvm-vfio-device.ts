/**
 * KVM-VFIO pseudo device (KVM_DEV_TYPE_VFIO), kernel-facts §4.4, with the v6.2 rule that its
 * teardown runs from .release when the device fd is closed.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type KvmVfioEvent = { type: 'FILE_ADD' } | { type: 'FILE_DEL' } | { type: 'SET_SPAPR_TCE' } | { type: 'SHARE_STAGE2' } | { type: 'CLOSE' };

export const kvmVfioDeviceMachine = setup({
  types: { events: {} as KvmVfioEvent },
  actions: { refuse: refuseAction, releaseFiles: () => {} },
}).createMachine({
  id: 'kvm-vfio-device',
  initial: 'active',
  on: { '*': refuse('EBADF') },
  states: {
    active: {
      on: {
        FILE_ADD: 'active',
        FILE_DEL: 'active',
        SET_SPAPR_TCE: 'active',
        SHARE_STAGE2: 'active',
        CLOSE: { target: 'released', actions: 'releaseFiles' },
      },
    },
    released: {},
  },
});
