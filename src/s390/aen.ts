/**
 * KVM_S390_ZPCI_OP REG_AEN / DEREG_AEN (kernel-facts §3.1): adapter-event forwarding pins the
 * guest's interrupt bit vector page (and summary-bit page when sb != 0) long term and charges them.
 * Kept quirk of the merged code: an accounting failure jumps to cleanup with rc still 0, so the
 * ioctl reports success while nothing is registered.
 */
import { archRefusal } from '../events/arch.js';
import { OK, refused } from '../model/outcome.js';
import { pageOf } from '../memory/constants.js';
import { opsOf } from '../ops/registry.js';
import type { KvmS390PciOps } from '../ops/types.js';
import { kvmPinsOf } from '../kvm/pins.js';
import { findByFh } from './zpci.js';

const KVM_S390_ZPCIOP_REGAEN_HOST = 1;

export const zpciOp: KvmS390PciOps['zpci_op'] = (w, e) => {
  const vm = w.vms.get(e.vm);
  if (!vm || vm.lc !== 'running') return refused('EBADF');
  const elsewhere = archRefusal(w.arch, 'vmm.kvm.s390.zpci_op');
  if (elsewhere) return refused(elsewhere);
  const f = findByFh(w, e.vm, e.fh);
  const dev = f ? w.devices.get(f.id) : undefined;
  if (!f || !dev?.kzdev) return refused('ENODEV');
  if (dev.kzdev.kvm !== vm.id) return refused('EPERM');
  if ((e.flags & ~KVM_S390_ZPCIOP_REGAEN_HOST) !== 0) return refused('EINVAL');
  const ops = opsOf(w);
  const held = kvmPinsOf(w, vm);
  if (e.op === 'dereg_aen') {
    if (!f.aen) return refused('EINVAL');
    for (const p of f.aen.pins) ops.kvm.unpin_guest_page(w, vm, p.pfn, held);
    f.aen = undefined;
    return OK;
  }
  if (!dev.gisa || f.aen) return refused('EINVAL');
  const pages = [pageOf(e.ibv), ...(e.sb !== 0n ? [pageOf(e.sb)] : [])];
  const pins: { gpaPage: number; pfn: number }[] = [];
  for (const gpaPage of pages) {
    const r = ops.kvm.pin_guest_page(w, vm, gpaPage, held);
    if ('pfn' in r) {
      pins.push({ gpaPage, pfn: r.pfn });
      continue;
    }
    for (const p of pins) ops.kvm.unpin_guest_page(w, vm, p.pfn, held);
    // pin failure is -EIO; an accounting failure leaves rc at 0 (the quirk above).
    return r.code === 'ENOMEM' ? OK : refused('EIO');
  }
  f.aen = { gisc: 0, pins };
  return OK;
};
