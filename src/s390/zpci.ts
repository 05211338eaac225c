/**
 * zPCI functions: the VMM plugging a VFIO device into an s390 guest, handle lookup, and CLP SET
 * PCI FUNCTION (enable / disable) with QEMU's response codes.
 */
import { archRefusal } from '../events/arch.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused } from '../model/outcome.js';
import type { Vm, World, ZpciFn } from '../model/world.js';
import { designOf, opsOf } from '../ops/registry.js';
import { machineProbe } from '../ops/machines.js';
import { zpciDesignOps } from '../ops/select.js';
import type { ZpciOps } from '../ops/types.js';

const FN = TABLES['zpci-function'];
export const FH_MASK_ENABLE = 0x80000000;

/** The handle the guest must use now: the enable bit is set while the function is enabled (or in error). */
export function currentFh(f: ZpciFn): number {
  return f.lc === 'disabled' ? f.fhBase : (f.fhBase | FH_MASK_ENABLE) >>> 0;
}

/** s390_pci_find_dev_by_fh: the function of this VM whose current handle is exactly `fh`. */
export function findByFh(w: World, vm: string, fh: number): ZpciFn | undefined {
  for (const f of w.zpci.values()) if (f.vm === vm && currentFh(f) === fh) return f;
  return undefined;
}

/** The function of this VM whose handle, ignoring the enable bit, is `fh` (CLP looks functions up that way). */
function findByBase(w: World, vm: string, fh: number): ZpciFn | undefined {
  for (const f of w.zpci.values()) if (f.vm === vm && f.fhBase === (fh & ~FH_MASK_ENABLE) >>> 0) return f;
  return undefined;
}

const plug: ZpciOps['plug'] = (w, e) => {
  const vm = w.vms.get(e.vm);
  if (!vm || vm.lc !== 'running') return refused('EBADF');
  const elsewhere = archRefusal(w.arch, 'vmm.s390.zpci.plug');
  if (elsewhere) return refused(elsewhere);
  const dev = w.devices.get(e.device);
  // QEMU plugs a vfio-pci device it has opened.
  if (!dev || dev.openCount === 0) return refused('ENODEV');
  if ((e.fh & FH_MASK_ENABLE) !== 0 || e.sdma > e.edma) return refused('EINVAL');
  if (w.zpci.has(e.device) || findByBase(w, e.vm, e.fh)) return refused('EEXIST');
  const container = w.groups.get(dev.group)!.container!;
  const t1 = w.containers.get(container)!.iommu!;
  const design = e.design ?? designOf(w).config.zpci;
  // the userspace design maps through type1; the kvm-shadow design needs a domain KVM may own:
  // a KVM-owned one, or a paging domain where the design lends it to KVM (the flag design).
  const lendable = !t1.kvm && machineProbe(w, 'domain-owner').step(w.domains.get(t1.domain)!.owner, 'LEND').target === 'lent';
  if (design === 'kvm-shadow' ? !t1.kvm && !lendable : t1.kvm) return refused('EINVAL');
  if (design === 'kvm-shadow' && dev.kzdev?.kvm !== vm.id) return refused('EINVAL');
  // QEMU reads the container's DMA_AVAIL capability once and shares the count among its functions.
  if (!w.qemuDmaLimits.has(container)) w.qemuDmaLimits.set(container, t1.dmaAvail);
  w.zpci.set(e.device, {
    id: e.device, vm: vm.id, fhBase: e.fh, design, sdma: e.sdma, edma: e.edma, container,
    lc: FN.initial, errors: [], iotlb: new Map(), shadow: new Map(), tablePins: new Map(),
  });
  return OK;
};

/** CLP SET PCI FUNCTION: CLP_RC_SETPCIFN_FH for an unknown handle, _FHOP when the state does not allow the op. */
const clpSetPciFn: ZpciOps['clp_set_pci_fn'] = (w, e) => {
  const vm = w.vms.get(e.vm);
  if (!vm || vm.lc !== 'running') return refused('EBADF');
  // CLP is always intercepted and emulated by the VMM.
  w.stats.vmExits++;
  const f = findByBase(w, e.vm, e.fh);
  if (!f) return refused('CLP_RC_SETPCIFN_FH');
  const st = FN.step(f.lc, e.op === 'enable' ? 'ENABLE' : 'DISABLE');
  if (st.code) return refused(st.code);
  // disabling resets the function: its IOAT goes with it.
  if (e.op === 'disable' && f.ioat) opsOf(w).zpci.deregister_ioat(w, vm, f);
  f.lc = st.target;
  return { code: 'CLP_RC_OK', value: BigInt(currentFh(f)) };
};

export function vmOf(w: World, id: string): Vm | undefined {
  const vm = w.vms.get(id);
  return vm && vm.lc === 'running' ? vm : undefined;
}

export const ZPCI_FUNCTION_OPS: Pick<ZpciOps, 'plug' | 'clp_set_pci_fn' | 'register_ioat' | 'deregister_ioat' | 'close_device'> = {
  plug,
  clp_set_pci_fn: clpSetPciFn,

  register_ioat(w, vm, f, ioat) {
    f.ioat = ioat;
    const refusal = zpciDesignOps(w, f).register_ioat(w, vm, f);
    if (refusal) f.ioat = undefined;
    return refusal;
  },

  deregister_ioat(w, vm, f) {
    zpciDesignOps(w, f).deregister_ioat(w, vm, f);
    f.ioat = undefined;
  },

  /** vfio_pci_zdev_close_device: the kvm association ends (KVM's shadow with it), the IOAT goes, the function leaves the guest. */
  close_device(w, dev) {
    if (w.arch !== 's390') return;
    const ops = opsOf(w);
    const f = w.zpci.get(dev.id);
    const vm = f ? w.vms.get(f.vm) : undefined;
    ops.kvm_s390_pci.unregister_kvm(w, dev);
    if (f && f.ioat && vm) ops.zpci.deregister_ioat(w, vm, f);
    w.zpci.delete(dev.id);
  },
};
