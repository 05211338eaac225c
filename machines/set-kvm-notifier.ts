/**
 * How an open zPCI device knows its VM in v1-v3 of the zPCI series (kernel-facts §3): opening the
 * device registers a VFIO_GROUP_NOTIFY_SET_KVM notifier, and the registration replays the group's
 * current kvm; KVM-VFIO FILE_ADD and FILE_DEL (and the KVM-VFIO device's release) fire it with the
 * kvm and with NULL. The device keeps a pointer, not a reference: NULL must clear it, which
 * brings it back to `registered` (the kernel keeps nothing that tells a cleared kvm from one never
 * set, so neither does the model: a separate state would only split equal states), and a VM
 * destroyed while the device is still in `kvm-set` leaves it pointing at freed memory
 * (`dangling`, which no-dangling-kvm reports). Closing the device unregisters the notifier and
 * the zdev's KVM registration.
 */
import { setup } from 'xstate';
import type { AssociationEvent } from './kvm-association.js';
import { refuse, refuseAction } from './refuse.js';

/** The same events as the final design's machine: what the model tells a device's association either way. */
export type NotifierEvent = AssociationEvent;

export const setKvmNotifierMachine = setup({
  types: { events: {} as NotifierEvent },
  actions: { refuse: refuseAction, register: () => {}, unregister: () => {} },
}).createMachine({
  id: 'set-kvm-notifier',
  initial: 'unregistered',
  on: { '*': refuse('EBADF') },
  states: {
    unregistered: {
      on: {
        // the registration replays the group's kvm.
        OPEN_WITH_KVM: { target: 'kvm-set', actions: 'register' },
        OPEN_NO_KVM: 'registered',
        SET_KVM: 'unregistered',
        SET_KVM_NULL: 'unregistered',
        VM_DESTROYED: 'unregistered',
      },
    },
    registered: {
      on: { SET_KVM: { target: 'kvm-set', actions: 'register' }, SET_KVM_NULL: 'registered', CLOSE: 'unregistered', VM_DESTROYED: 'registered' },
    },
    'kvm-set': {
      on: {
        SET_KVM: 'kvm-set',
        SET_KVM_NULL: { target: 'registered', actions: 'unregister' },
        CLOSE: { target: 'unregistered', actions: 'unregister' },
        VM_DESTROYED: 'dangling',
      },
    },
    dangling: {
      on: { CLOSE: { target: 'unregistered', actions: 'unregister' }, SET_KVM: 'dangling', SET_KVM_NULL: 'dangling', VM_DESTROYED: 'dangling' },
    },
  },
});
