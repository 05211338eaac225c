/** A guest-table walk error during RPCIT, as both designs report it (QEMU's rpcit_service_call). */
import { TABLES } from '../../machines/index.js';
import type { Outcome } from '../model/outcome.js';
import type { ZpciFn } from '../model/world.js';
import { ccErr, ST } from './status.js';

const FN = TABLES['zpci-function'];

/** The function enters the error state, an error event is queued, and the guest sees cc 1 status 8. */
export function walkFailure(f: ZpciFn, pec: number, faddr: bigint): Outcome {
  f.lc = FN.step(f.lc, 'WALK_ERROR').target;
  f.errors.push({ pec, faddr });
  return ccErr(ST.FUNC_IN_ERR);
}
