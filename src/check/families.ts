/**
 * Design families and their vocabularies: the event types a passthrough path of that kind is
 * driven by. The default runs of a family must offer every event of its vocabulary and see each
 * succeed (action coverage says which they do not); a new event type belongs in some family.
 */
import type { EventType } from '../events/types.js';

const HOST: EventType[] = ['host.boot', 'host.process.spawn', 'host.rlimit.set', 'host.cap.set', 'host.pci.device.add', 'host.mm.migrate', 'vmm.mmap', 'vmm.mem.write'];
const VFIO: EventType[] = [
  'vmm.vfio.container.open', 'vmm.vfio.container.close', 'vmm.vfio.set_iommu', 'vmm.vfio.group.open', 'vmm.vfio.group.close',
  'vmm.vfio.group.set_container', 'vmm.vfio.group.unset_container', 'vmm.vfio.group.get_device_fd', 'vmm.vfio.device.close',
  'device.dma.read', 'device.dma.write',
];
const KVM: EventType[] = [
  'vmm.kvm.create_vm', 'vmm.kvm.set_user_memory_region', 'vmm.kvm.close_vm', 'vmm.kvm.create_device', 'vmm.kvm.vfio.file_add',
  'vmm.kvm.vfio.file_del', 'vmm.kvm.device.close', 'guest.mem.read', 'guest.mem.write',
];

export interface Family {
  readonly name: string;
  readonly description: string;
  /** The built-in scenarios whose default runs belong to it. */
  readonly scenarios: readonly string[];
  readonly vocabulary: readonly EventType[];
}

export const FAMILIES: readonly Family[] = [
  {
    name: 'type1',
    description: 'x86 VFIO type1: MAP/UNMAP_DMA through a paging domain',
    scenarios: ['type1-unmap'],
    vocabulary: [...HOST, ...VFIO, 'vmm.vfio.dma.map', 'vmm.vfio.dma.unmap', 'host.vfio.dma_entry_limit', 'host.iommu.sync'],
  },
  {
    name: 's390',
    description: 's390 zPCI: RPCIT in both designs, the kvm association, AEN',
    scenarios: ['rpcit-shadow', 'rpcit-userspace', 'zpci-teardown', 'kvm-domain-lent'],
    vocabulary: [
      ...HOST, ...VFIO, ...KVM, 'vmm.vfio.dma.map', 'vmm.vfio.dma.unmap', 'host.vfio.dma_entry_limit',
      'vmm.s390.zpci.plug', 'vmm.kvm.s390.zpci_op', 'guest.s390.clp.set_pci_fn', 'guest.s390.mpcifc', 'guest.s390.rpcit', 'guest.s390.refresh_all',
    ],
  },
  {
    name: 'spapr',
    description: 'POWER sPAPR: the TCE container, KVM TCE tables and hypercalls, LIOBN binding',
    scenarios: ['liobn-binding'],
    vocabulary: [
      ...HOST, ...VFIO, ...KVM, 'vmm.vfio.dma.map', 'vmm.vfio.dma.unmap', 'vmm.vfio.spapr.register_memory', 'vmm.vfio.spapr.unregister_memory',
      'vmm.vfio.spapr.tce_create', 'vmm.vfio.spapr.tce_remove', 'vmm.kvm.create_spapr_tce_64', 'vmm.kvm.spapr_tce.close', 'vmm.kvm.vfio.set_spapr_tce',
      'guest.spapr.h_put_tce', 'guest.spapr.h_put_tce_indirect', 'guest.spapr.h_stuff_tce', 'guest.spapr.h_get_tce',
    ],
  },
  {
    name: 'stage2',
    description: "x86 stage2-shared: an IOMMU walking KVM's stage-2 table, dirty logging",
    scenarios: ['stage2-shared'],
    vocabulary: [...HOST, ...VFIO, ...KVM, 'vmm.kvm.vfio.share_stage2', 'vmm.kvm.dirty_log.enable', 'vmm.kvm.dirty_log.get'],
  },
  {
    name: 'sva',
    description: "x86 sva-pri: a PASID bound to the VMM's mm, page requests",
    scenarios: ['sva-pri'],
    vocabulary: [...HOST, ...VFIO, 'vmm.vfio.device.bind_sva', 'vmm.vfio.device.unbind_sva'],
  },
];

/** The family a built-in scenario belongs to. */
export function familyOf(scenario: string): Family | undefined {
  return FAMILIES.find((f) => f.scenarios.includes(scenario));
}
