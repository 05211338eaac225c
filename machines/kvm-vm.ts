/**
 * KVM VM lifecycle. The VM fd and every reference taken on the kvm (the KVM-VFIO device fd,
 * vfio devices that captured kvm at open) keep it alive; it is destroyed when the last goes.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type VmEvent =
  | { type: 'VM_IOCTL' }
  | { type: 'GUEST_RUN' }
  | { type: 'CLOSE_LAST_REF' }
  | { type: 'CLOSE_WITH_REFS' }
  | { type: 'PUT_LAST' }
  | { type: 'PUT_OTHER' };

export const kvmVmMachine = setup({
  types: { events: {} as VmEvent },
  actions: { refuse: refuseAction },
}).createMachine({
  id: 'kvm-vm',
  initial: 'running',
  on: { '*': refuse('EBADF') },
  states: {
    running: {
      on: {
        VM_IOCTL: 'running',
        GUEST_RUN: 'running',
        CLOSE_LAST_REF: 'destroyed',
        CLOSE_WITH_REFS: 'closing',
        PUT_OTHER: 'running',
      },
    },
    // VM fd closed (the guest no longer runs), kvm still referenced.
    closing: {
      on: { PUT_OTHER: 'closing', PUT_LAST: 'destroyed' },
    },
    destroyed: {},
  },
});
