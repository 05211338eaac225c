/**
 * RPCIT: the checks both designs share, in QEMU's rpcit_service_call order (kernel-facts §2.3):
 * handle (cc 3), function state (cc 3, or cc 1 status 40 in the error state), a registered IOTA
 * (error INVALAS) and overlap with pba..pal (error OORANGE); then the function's design refreshes.
 * A walk error puts the function in the error state, queues an error event and gives cc 1 status 8.
 */
import { refused, type Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import { zpciDesignOps } from '../ops/select.js';
import type { ZpciOps } from '../ops/types.js';
import { PEC } from '../iommu/s390/layout.js';
import { U64_MAX } from '../util/hex.js';
import { ccErr, ccInvalHandle, ST } from './status.js';
import { walkFailure } from './walk-failure.js';
import { findByFh, vmOf } from './zpci.js';

function rpcit(w: World, vmId: string, fh: number, start: bigint, len: bigint): Outcome {
  const vm = vmOf(w, vmId);
  if (!vm) return refused('EBADF');
  const f = findByFh(w, vmId, fh);
  if (!f || f.lc === 'disabled') return ccInvalHandle;
  if (f.lc === 'error') return ccErr(ST.MOD_ERROR_RECOVER);
  w.stats.rpcits++;
  const design = zpciDesignOps(w, f);
  design.intercept(w, vm, f);
  if (!f.ioat) return walkFailure(f, PEC.INVALAS, start);
  // end = start + len wraps as QEMU's hwaddr arithmetic does.
  const end = (start + len) & U64_MAX;
  if (end < f.ioat.pba || start > f.ioat.pal) return walkFailure(f, PEC.OORANGE, start);
  return design.refresh(w, vm, f, start, end);
}

export const ZPCI_RPCIT_OPS: Pick<ZpciOps, 'rpcit' | 'refresh_all'> = {
  rpcit: (w, e) => rpcit(w, e.vm, e.fh, e.iova, e.len),

  refresh_all(w, e) {
    const f = findByFh(w, e.vm, e.fh);
    const ioat = f?.ioat;
    return rpcit(w, e.vm, e.fh, ioat?.pba ?? 0n, ioat ? ioat.pal - ioat.pba + 1n : 0n);
  },
};
