/**
 * VFIO device lifecycle, kernel-facts §4.2: open_count counts device fds; the driver's
 * open_device runs on 0→1 (where the kvm pointer is captured, §4.3) and close_device on 1→0.
 * The reducer keeps open_count and sends FIRST/AGAIN, LAST/OTHER accordingly.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type DeviceEvent =
  | { type: 'OPEN_FIRST' }
  | { type: 'OPEN_AGAIN' }
  | { type: 'CLOSE_LAST' }
  | { type: 'CLOSE_OTHER' };

export const vfioDeviceMachine = setup({
  types: { events: {} as DeviceEvent },
  actions: { refuse: refuseAction, openDevice: () => {}, closeDevice: () => {} },
}).createMachine({
  id: 'vfio-device',
  initial: 'closed',
  on: { '*': refuse('EBADF') },
  states: {
    closed: { on: { OPEN_FIRST: { target: 'open', actions: 'openDevice' } } },
    open: {
      on: {
        OPEN_AGAIN: 'open',
        CLOSE_OTHER: 'open',
        CLOSE_LAST: { target: 'closed', actions: 'closeDevice' },
      },
    },
  },
});
