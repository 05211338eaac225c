/**
 * How an open VFIO device knows its VM in the final design (6.0+, kernel-facts §3): vfio core
 * captures the group's kvm at the device's first open, with a reference
 * (vfio_device_get_kvm_safe), and an s390 zdev registers it with KVM; the last close unregisters
 * and puts the reference. There is no notifier: SET_KVM, with a kvm or NULL, does not reach an
 * open device, and the VM cannot be destroyed under it, since the device holds a reference (the
 * kvm-vm machine stays in `closing`). States: `unregistered` (device closed), `registered` (open,
 * the group had no kvm), `kvm-set`.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type AssociationEvent =
  | { type: 'OPEN_WITH_KVM' }
  | { type: 'OPEN_NO_KVM' }
  | { type: 'CLOSE' }
  | { type: 'SET_KVM' }
  | { type: 'SET_KVM_NULL' }
  | { type: 'VM_DESTROYED' };

export const kvmAssociationMachine = setup({
  types: { events: {} as AssociationEvent },
  actions: { refuse: refuseAction, register: () => {}, unregister: () => {} },
}).createMachine({
  id: 'kvm-association',
  initial: 'unregistered',
  // the device is closed: there is no association to change.
  on: { '*': refuse('EBADF') },
  states: {
    unregistered: {
      on: {
        OPEN_WITH_KVM: { target: 'kvm-set', actions: 'register' },
        OPEN_NO_KVM: 'registered',
        SET_KVM: 'unregistered',
        SET_KVM_NULL: 'unregistered',
        VM_DESTROYED: 'unregistered',
      },
    },
    registered: {
      on: { SET_KVM: 'registered', SET_KVM_NULL: 'registered', CLOSE: 'unregistered', VM_DESTROYED: 'registered' },
    },
    'kvm-set': {
      on: {
        SET_KVM: 'kvm-set',
        SET_KVM_NULL: 'kvm-set',
        CLOSE: { target: 'unregistered', actions: 'unregister' },
        // the reference the device holds keeps the VM alive: a destruction here is a model bug.
        VM_DESTROYED: refuse('EBUSY'),
      },
    },
  },
});
