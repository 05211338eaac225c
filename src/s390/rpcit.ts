/**
 * RPCIT: the checks both designs share, in QEMU's rpcit_service_call order (kernel-facts §2.3):
 * handle (cc 3), function state (cc 3, or cc 1 status 40 in the error state), a registered IOTA
 * (error INVALAS) and overlap with pba..pal (error OORANGE); then the design's refresh. A walk
 * error puts the function in the error state, queues an error event and gives cc 1 status 8.
 */
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { refused, type Outcome } from '../model/outcome.js';
import type { World, ZpciFn } from '../model/world.js';
import { PEC } from '../iommu/s390/layout.js';
import { U64_MAX } from '../util/hex.js';
import { designOf } from './designs.js';
import { ccErr, ccInvalHandle, ST } from './status.js';
import { findByFh, vmOf } from './zpci.js';

const FN = TABLES['zpci-function'];

/** A walk error: function to the error state, error event queued, cc 1 status 8. */
export function walkFailure(f: ZpciFn, pec: number, faddr: bigint): Outcome {
  f.lc = FN.step(f.lc, 'WALK_ERROR').target;
  f.errors.push({ pec, faddr });
  return ccErr(ST.FUNC_IN_ERR);
}

export function rpcit(w: World, vmId: string, fh: number, start: bigint, len: bigint): Outcome {
  const vm = vmOf(w, vmId);
  if (!vm) return refused('EBADF');
  const f = findByFh(w, vmId, fh);
  if (!f || f.lc === 'disabled') return ccInvalHandle;
  if (f.lc === 'error') return ccErr(ST.MOD_ERROR_RECOVER);
  w.stats.rpcits++;
  if (designOf(w, f).rpcitExits) w.stats.vmExits++;
  if (!f.ioat) return walkFailure(f, PEC.INVALAS, start);
  // end = start + len wraps as QEMU's hwaddr arithmetic does.
  const end = (start + len) & U64_MAX;
  if (end < f.ioat.pba || start > f.ioat.pal) return walkFailure(f, PEC.OORANGE, start);
  return designOf(w, f).refresh(w, vm, f, start, end);
}

export function rpcitEvent(w: World, e: EventOf<'guest.s390.rpcit'>): Outcome {
  return rpcit(w, e.vm, e.fh, e.iova, e.len);
}

/** The Linux guest's global refresh: RPCIT over the whole registered range pba..pal. */
export function refreshAll(w: World, e: EventOf<'guest.s390.refresh_all'>): Outcome {
  const f = findByFh(w, e.vm, e.fh);
  const ioat = f?.ioat;
  return rpcit(w, e.vm, e.fh, ioat?.pba ?? 0n, ioat ? ioat.pal - ioat.pba + 1n : 0n);
}
