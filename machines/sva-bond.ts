/**
 * An SVA binding of a device's PASID to a process mm (iommu_sva_bind_device / unbind), as the
 * sva-pri design uses it. A second bind is refused with EBUSY, an unbind without a bind with
 * EINVAL; the device's last close releases a binding, or does nothing.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type SvaEvent = { type: 'BIND' } | { type: 'UNBIND' } | { type: 'RELEASE' };

export const svaBondMachine = setup({
  types: { events: {} as SvaEvent },
  actions: { refuse: refuseAction, invalidateAll: () => {} },
}).createMachine({
  id: 'sva-bond',
  initial: 'unbound',
  states: {
    unbound: {
      on: { BIND: 'bound', UNBIND: refuse('EINVAL'), RELEASE: 'unbound' },
    },
    bound: {
      on: {
        BIND: refuse('EBUSY'),
        UNBIND: { target: 'unbound', actions: 'invalidateAll' },
        RELEASE: { target: 'unbound', actions: 'invalidateAll' },
      },
    },
  },
});
