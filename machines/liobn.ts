/**
 * A LIOBN: the KVM TCE table KVM_CREATE_SPAPR_TCE_64 makes for one logical bus (kernel-facts §9),
 * and what accelerates its hypercalls into VFIO hardware tables. Created unbound, hypercalls
 * update only KVM's table; KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE binds a group
 * (kvm_spapr_tce_attach_iommu_group). What the binding covers is the design's choice:
 * the 2016 patch binds the LIOBN to the groups named (`bound-to-groups`, TCE kills reach those
 * groups only); the reviewer's design binds it to their container (`bound-to-container`, every
 * group of the container hears a kill, including one that joins later). The `bindsContainer`
 * guard makes the choice; liobn-to-group provides it as false. A bind of another group, or the
 * same one again, rebinds; FILE_DEL, the KVM-VFIO device's release or the group's own release
 * unbinds one group (UNBIND_LAST when it was the last); closing the table fd destroys it, bound
 * or not, and every later ioctl naming it is EBADF.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type LiobnEvent = { type: 'BIND' } | { type: 'UNBIND_OTHER' } | { type: 'UNBIND_LAST' } | { type: 'HCALL' } | { type: 'CLOSE' };

export const liobnMachine = setup({
  types: { events: {} as LiobnEvent },
  actions: { refuse: refuseAction, unbindAll: () => {} },
  guards: { bindsContainer: () => true },
}).createMachine({
  id: 'liobn',
  initial: 'created',
  on: { '*': refuse('EBADF') },
  states: {
    // hypercalls write KVM's table only (no hardware behind it yet).
    created: {
      on: {
        BIND: [{ guard: 'bindsContainer', target: 'bound-to-container' }, { target: 'bound-to-groups' }],
        // FILE_DEL of a group no LIOBN binds: nothing to drop.
        UNBIND_OTHER: 'created',
        UNBIND_LAST: 'created',
        HCALL: 'created',
        CLOSE: 'destroyed',
      },
    },
    'bound-to-groups': {
      on: {
        BIND: 'bound-to-groups',
        UNBIND_OTHER: 'bound-to-groups',
        UNBIND_LAST: 'created',
        // KVM updates the hardware tables behind the binding too (iommu_targets).
        HCALL: 'bound-to-groups',
        CLOSE: { target: 'destroyed', actions: 'unbindAll' },
      },
    },
    'bound-to-container': {
      on: {
        BIND: 'bound-to-container',
        UNBIND_OTHER: 'bound-to-container',
        UNBIND_LAST: 'created',
        HCALL: 'bound-to-container',
        CLOSE: { target: 'destroyed', actions: 'unbindAll' },
      },
    },
    // the fd is closed: KVM no longer knows the LIOBN, so a hypercall on it goes to the VMM, which
    // answers H_PARAMETER for a LIOBN it does not know either.
    destroyed: {
      on: { HCALL: refuse('H_PARAMETER'), UNBIND_OTHER: 'destroyed', UNBIND_LAST: 'destroyed' },
    },
  },
});
