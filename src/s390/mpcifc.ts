/**
 * MPCIFC (Modify PCI Function Controls) as QEMU's mpcifc_service_call orders its checks: FIB
 * alignment, handle, function state, FIB read and format, then the function code. reg_ioat's
 * bounds and IOTA checks give an operand exception (kernel-facts §2.4).
 */
import { TABLES } from '../../machines/index.js';
import { refused, type Outcome } from '../model/outcome.js';
import { readThrough } from '../memory/phys.js';
import type { Vm, World, ZpciFn } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { ZpciOps } from '../ops/types.js';
import { decodeFib, FIB_SIZE } from './fib.js';
import { guestResolver } from '../kvm/guest-memory.js';
import { ccErr, ccInvalHandle, ccOk, ST } from './status.js';
import { findByFh, vmOf } from './zpci.js';
import { gpaToHvaPage } from '../kvm/memslots.js';
import { pageOf } from '../memory/constants.js';
import { ZPCI_IOTA_RTTO } from '../iommu/s390/layout.js';

const FN = TABLES['zpci-function'];

/** reg_ioat: pba rounded down, pal up; bounds against sdma..edma; only RTTO with translation. */
function regIoat(w: World, vm: Vm, f: ZpciFn, fibBytes: Uint8Array): Outcome | undefined {
  const fib = decodeFib(fibBytes);
  const pba = fib.pba & ~0xfffn;
  const pal = fib.pal | 0xfffn;
  if (pba > pal || pba < f.sdma || pal > f.edma) return refused('PGM_OPERAND');
  const dt = Number((fib.iota >> 2n) & 7n);
  const t = (fib.iota >> 11n) & 1n;
  // relaxed translation (t = 0) is not offered to the guest by this model.
  if ((t === 1n && dt !== ZPCI_IOTA_RTTO) || t === 0n) return refused('PGM_OPERAND');
  const refusal = opsOf(w).zpci.register_ioat(w, vm, f, { iota: fib.iota, pba, pal });
  return refusal ? ccErr(ST.INSUF_RES) : undefined;
}

export const mpcifc: ZpciOps['mpcifc'] = (w, e) => {
  const vm = vmOf(w, e.vm);
  if (!vm) return refused('EBADF');
  // MPCIFC is always intercepted and emulated by the VMM.
  w.stats.vmExits++;
  if ((e.fib & 7n) !== 0n) return refused('PGM_SPECIFICATION');
  const f = findByFh(w, e.vm, e.fh);
  if (!f || f.lc === 'disabled') return ccInvalHandle;
  // the FIB must be guest memory: an unbacked address is an addressing exception.
  const first = pageOf(e.fib);
  if (gpaToHvaPage(vm, first) === undefined || gpaToHvaPage(vm, pageOf(e.fib + BigInt(FIB_SIZE - 1))) === undefined) {
    return refused('PGM_ADDRESSING');
  }
  const fibBytes = readThrough(w.frames, guestResolver(w, vm), e.fib, FIB_SIZE);
  if (fibBytes[0] !== 0) return refused('PGM_OPERAND');
  switch (e.fc) {
    case 'reg_ioat':
      if (e.dmaas !== 0) return ccErr(ST.MOD_DMAAS_INVAL);
      if (f.ioat) return ccErr(ST.MOD_SEQUENCE);
      return regIoat(w, vm, f, fibBytes) ?? ccOk;
    case 'dereg_ioat':
      if (e.dmaas !== 0) return ccErr(ST.MOD_DMAAS_INVAL);
      if (!f.ioat) return ccErr(ST.MOD_SEQUENCE);
      opsOf(w).zpci.deregister_ioat(w, vm, f);
      return ccOk;
    case 'rereg_ioat': {
      if (e.dmaas !== 0) return ccErr(ST.MOD_DMAAS_INVAL);
      if (!f.ioat) return ccErr(ST.MOD_SEQUENCE);
      // QEMU deregisters first; a failing re-registration leaves the function without an IOAT.
      opsOf(w).zpci.deregister_ioat(w, vm, f);
      return regIoat(w, vm, f, fibBytes) ?? ccOk;
    }
    case 'reset_error':
    case 'reset_block': {
      const st = FN.step(f.lc, e.fc === 'reset_error' ? 'RESET_ERROR' : 'RESET_BLOCK');
      if (st.code) return ccErr(ST.MOD_SEQUENCE);
      f.lc = st.target;
      return ccOk;
    }
  }
};
