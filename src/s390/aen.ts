/**
 * KVM_S390_ZPCI_OP REG_AEN / DEREG_AEN (kernel-facts §3.1): adapter-event forwarding pins the
 * guest's interrupt bit vector page (and summary-bit page when sb != 0) long term and charges them.
 * Kept quirk of the merged code: an accounting failure jumps to cleanup with rc still 0, so the
 * ioctl reports success while nothing is registered.
 */
import type { EventOf } from '../events/types.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import { pageOf } from '../memory/constants.js';
import { kvmPin, kvmPinsOf, kvmUnpin } from '../kvm/pins.js';
import { findByFh } from './zpci.js';

const KVM_S390_ZPCIOP_REGAEN_HOST = 1;

export function zpciOp(w: World, e: EventOf<'vmm.kvm.s390.zpci_op'>): Outcome {
  const vm = w.vms.get(e.vm);
  if (!vm || vm.lc !== 'running') return refused('EBADF');
  const f = findByFh(w, e.vm, e.fh);
  const dev = f ? w.devices.get(f.id) : undefined;
  if (!f || !dev?.kzdev) return refused('ENODEV');
  if (dev.kzdev.kvm !== vm.id) return refused('EPERM');
  if ((e.flags & ~KVM_S390_ZPCIOP_REGAEN_HOST) !== 0) return refused('EINVAL');
  const held = kvmPinsOf(w, vm);
  if (e.op === 'dereg_aen') {
    if (!f.aen) return refused('EINVAL');
    for (const p of f.aen.pins) kvmUnpin(w, vm, p.pfn, held);
    f.aen = undefined;
    return OK;
  }
  if (!dev.gisa || f.aen) return refused('EINVAL');
  const pages = [pageOf(e.ibv), ...(e.sb !== 0n ? [pageOf(e.sb)] : [])];
  const pins: { gpaPage: number; pfn: number }[] = [];
  for (const gpaPage of pages) {
    const r = kvmPin(w, vm, gpaPage, held);
    if ('pfn' in r) {
      pins.push({ gpaPage, pfn: r.pfn });
      continue;
    }
    for (const p of pins) kvmUnpin(w, vm, p.pfn, held);
    // pin failure is -EIO; an accounting failure leaves rc at 0 (the quirk above).
    return r.code === 'ENOMEM' ? OK : refused('EIO');
  }
  f.aen = { gisc: 0, pins };
  return OK;
}
