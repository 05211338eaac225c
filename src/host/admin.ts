/**
 * The reference host ops: boot, processes, limits, PCI topology. None of these is a kernel ioctl;
 * they set up the host the VMM runs on, as an administrator (or the boot) would.
 */
import { DEFAULT_KERNEL_CODE, parseKernel } from '../model/kernel-version.js';
import { PAGE_SHIFT_N } from '../memory/constants.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused } from '../model/outcome.js';
import { designNamed, REFERENCE } from '../ops/registry.js';
import type { HostOps } from '../ops/types.js';

const rlimitPages = (bytes: bigint) => Number(bytes >> PAGE_SHIFT_N);

export const HOST_OPS: HostOps = {
  /** Chooses the architecture, the design and the kvm association model; only before anything exists. */
  boot(w, e) {
    if (w.mms.size || w.devices.size) return refused('EBUSY');
    const design = designNamed(e.design);
    if (!design) return refused('EINVAL');
    // a design of one architecture's kernel (zPCI, sPAPR, VT-d stage-2 sharing) cannot boot another's.
    if (!design.config.arch.includes(e.arch)) return refused('EINVAL');
    const kernel = e.kernel === '' ? DEFAULT_KERNEL_CODE : parseKernel(e.kernel);
    if (kernel === undefined) return refused('EINVAL');
    w.arch = e.arch;
    w.kernel = kernel;
    // the world keeps '' for the reference design, however the log spells it.
    w.design = design.name === REFERENCE ? '' : design.name;
    w.kvmAssociation = e.kvmAssociation ?? design.config.kvmAssociation;
    return OK;
  },

  process_spawn(w, e) {
    if (w.mms.has(e.mm)) return refused('ID_IN_USE');
    const memlockPages = rlimitPages(e.memlock);
    w.mms.set(e.mm, { id: e.mm, vmas: [], pages: new Map(), lockedVm: 0, memlockPages, capIpcLock: e.capIpcLock, iommuMem: [] });
    return OK;
  },

  rlimit_set(w, e) {
    const mm = w.mms.get(e.mm);
    if (!mm) return refused('ESRCH');
    // lowering the limit never revokes existing charges; later charges are held to the new limit.
    mm.memlockPages = rlimitPages(e.memlock);
    return OK;
  },

  cap_set(w, e) {
    const mm = w.mms.get(e.mm);
    if (!mm) return refused('ESRCH');
    mm.capIpcLock = e.capIpcLock;
    return OK;
  },

  pci_device_add(w, e) {
    if (w.devices.has(e.device)) return refused('ID_IN_USE');
    let group = w.groups.get(e.group);
    if (group && group.lc !== 'closed') return refused('EBUSY');
    // every device of a group shares its default domain.
    if (group && group.defaultDomain !== e.defaultDomain) return refused('EINVAL');
    if (!group) {
      const domain = TABLES['iommu-domain'];
      const dmaLc = e.defaultDomain === 'identity' ? domain.step(domain.initial, 'DEFAULT_IDENTITY').target : domain.initial;
      group = { id: e.group, defaultDomain: e.defaultDomain, devices: [], lc: TABLES['vfio-group'].initial, dmaLc, deviceFds: 0, kvmFileRefs: 0, tceCache: new Map() };
      w.groups.set(e.group, group);
    }
    group.devices.push(e.device);
    if (e.driver === 'host') group.dmaLc = TABLES['iommu-domain'].step(group.dmaLc, 'KERNEL_DRIVER_BIND').target;
    w.devices.set(e.device, { id: e.device, group: e.group, driver: e.driver, lc: TABLES['vfio-device'].initial, assoc: TABLES['kvm-association'].initial, openCount: 0 });
    return OK;
  },

  dma_entry_limit_set(w, e) {
    w.dmaEntryLimit = e.limit;
    return OK;
  },
};
