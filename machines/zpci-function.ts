/**
 * A zPCI function as the guest sees it (QEMU's ZPCI_FS_* states, kernel-facts §2.4; standby and
 * permanent error are not entered by anything this model does): CLP enables
 * and disables it; a failed table walk puts it in the error state; MPCIFC RESET_BLOCK and
 * RESET_ERROR bring it back. Refusals carry CLP response codes or MPCIFC status names.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type ZpciEvent =
  | { type: 'ENABLE' }
  | { type: 'DISABLE' }
  | { type: 'WALK_ERROR' }
  | { type: 'RESET_ERROR' }
  | { type: 'RESET_BLOCK' };

export const zpciFunctionMachine = setup({
  types: { events: {} as ZpciEvent },
  actions: { refuse: refuseAction },
}).createMachine({
  id: 'zpci-function',
  initial: 'disabled',
  on: {
    ENABLE: refuse('CLP_RC_SETPCIFN_FHOP'),
    DISABLE: refuse('CLP_RC_SETPCIFN_FHOP'),
    RESET_ERROR: refuse('ZPCI_MOD_ST_SEQUENCE'),
    RESET_BLOCK: refuse('ZPCI_MOD_ST_SEQUENCE'),
    WALK_ERROR: refuse('ZPCI_PCI_LS_INVAL_HANDLE'),
  },
  states: {
    disabled: { on: { ENABLE: 'enabled' } },
    enabled: { on: { DISABLE: 'disabled', WALK_ERROR: 'error' } },
    blocked: { on: { DISABLE: 'disabled', RESET_ERROR: 'enabled' } },
    error: { on: { DISABLE: 'disabled', RESET_ERROR: 'enabled', RESET_BLOCK: 'blocked' } },
  },
});
