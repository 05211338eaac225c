/**
 * Design families and their vocabularies: the event types a passthrough path of that kind is
 * driven by. The default runs of a family must offer every event of its vocabulary and see each
 * succeed (action coverage says which they do not); a new event type belongs in some family.
 */
import type { EventType } from '../events/types.js';
import { REFERENCE_OPS } from '../designs/reference.js';

/** Every op of the named tables, and the single ops named `table.op`, less those in `except`. */
function opsOf(names: readonly string[], except: readonly string[] = []): string[] {
  const ops = REFERENCE_OPS as unknown as Record<string, Record<string, unknown>>;
  const out = names.flatMap((n) => (n.includes('.') ? [n] : Object.keys(ops[n]).map((op) => `${n}.${op}`)));
  return out.filter((op) => !except.includes(op));
}
const KVM_CORE = ['kvm.create_vm', 'kvm.set_user_memory_region', 'kvm.close_vm', 'kvm.guest_access', 'kvm.get_kvm', 'kvm.put_kvm'];
const KVM_PINS = ['kvm.pin_guest_page', 'kvm.unpin_guest_page', 'kvm.account_pinned'];

const HOST: EventType[] = ['host.boot', 'host.process.spawn', 'host.pci.device.add', 'host.mm.migrate', 'vmm.mmap', 'vmm.mem.write'];
/** RLIMIT_MEMLOCK and CAP_IPC_LOCK: part of every family that pins and charges. */
const LIMITS: EventType[] = ['host.rlimit.set', 'host.cap.set'];
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
  /** The ops a design of this family is built from: its default runs must call each of them. */
  readonly ops: readonly string[];
}

export const FAMILIES: readonly Family[] = [
  {
    name: 'type1',
    description: 'x86 VFIO type1: MAP/UNMAP_DMA through a paging domain',
    scenarios: ['type1-unmap', 'type1-lifecycle'],
    vocabulary: [...HOST, ...LIMITS, ...VFIO, 'vmm.vfio.dma.map', 'vmm.vfio.dma.unmap', 'host.vfio.dma_entry_limit', 'host.iommu.sync'],
    ops: opsOf(['host', 'mm', 'vfio', 'vfio_iommu_type1', 'iommu', 'device']),
  },
  {
    name: 's390',
    description: 's390 zPCI: RPCIT in both designs, the kvm association, AEN',
    scenarios: ['rpcit-shadow', 'rpcit-userspace', 'rpcit-ranges', 'zpci-teardown', 'kvm-domain-lent'],
    vocabulary: [
      ...HOST, ...LIMITS, ...VFIO, ...KVM, 'host.vfio.dma_entry_limit',
      'vmm.s390.zpci.plug', 'vmm.kvm.s390.zpci_op', 'guest.s390.clp.set_pci_fn', 'guest.s390.mpcifc', 'guest.s390.rpcit', 'guest.s390.refresh_all',
    ],
    ops: opsOf(
      ['host', 'mm', 'vfio', 'vfio_iommu_type1', 'iommu', ...KVM_CORE, ...KVM_PINS, 'kvm_vfio.create', 'kvm_vfio.file_add', 'kvm_vfio.file_del', 'kvm_vfio.release', 'kvm_vfio.remove_file',
        'kvm_association_open', 'kvm_association_notifier', 'kvm_s390_pci', 'zpci', 'zpci_userspace', 'zpci_kvm_shadow', 'device'],
      // the lazy-flush IOTLB sync is a variant's (type1's reference unmap never defers it).
      ['vfio_iommu_type1.iommu_sync'],
    ),
  },
  {
    name: 'spapr',
    description: 'POWER sPAPR: the TCE container, KVM TCE tables and hypercalls, LIOBN binding',
    scenarios: ['liobn-binding', 'spapr-lifecycle'],
    vocabulary: [
      ...HOST, ...LIMITS, ...VFIO, ...KVM, 'vmm.vfio.dma.map', 'vmm.vfio.dma.unmap', 'vmm.vfio.spapr.register_memory', 'vmm.vfio.spapr.unregister_memory',
      'vmm.vfio.spapr.tce_create', 'vmm.vfio.spapr.tce_remove', 'vmm.kvm.create_spapr_tce_64', 'vmm.kvm.spapr_tce.close', 'vmm.kvm.vfio.set_spapr_tce',
      'guest.spapr.h_put_tce', 'guest.spapr.h_put_tce_indirect', 'guest.spapr.h_stuff_tce', 'guest.spapr.h_get_tce',
    ],
    ops: opsOf(['host', 'mm', 'vfio', 'vfio_iommu_spapr_tce', 'kvm_spapr_tce', ...KVM_CORE, 'kvm_vfio.create', 'kvm_vfio.file_add', 'kvm_vfio.file_del', 'kvm_vfio.set_spapr_tce', 'kvm_vfio.release', 'kvm_vfio.remove_file', 'kvm_association_open', 'device'], ['host.dma_entry_limit_set']),
  },
  {
    name: 'stage2',
    description: "x86 stage2-shared: an IOMMU walking KVM's stage-2 table, dirty logging",
    scenarios: ['stage2-shared', 'stage2-lifecycle'],
    vocabulary: [...HOST, ...LIMITS, ...VFIO, ...KVM, 'vmm.kvm.vfio.share_stage2', 'vmm.kvm.dirty_log.enable', 'vmm.kvm.dirty_log.get'],
    // the device's translations are KVM's: type1 only opens, attaches and releases the container.
    ops: opsOf(['host', 'mm', 'vfio', 'vfio_iommu_type1.open', 'vfio_iommu_type1.attach_group', 'vfio_iommu_type1.detach_group', 'vfio_iommu_type1.release', 'iommu.domain_free', 'kvm', 'kvm_mmu', 'kvm_stage2_share', 'kvm_vfio.create', 'kvm_vfio.file_add', 'kvm_vfio.file_del', 'kvm_vfio.share_stage2', 'kvm_vfio.release', 'kvm_vfio.remove_file', 'kvm_association_open', 'device'], ['vfio.dma_map', 'vfio.dma_unmap', 'host.dma_entry_limit_set']),
  },
  {
    name: 'sva',
    description: "x86 sva-pri: a PASID bound to the VMM's mm, page requests",
    scenarios: ['sva-pri', 'sva-lifecycle'],
    vocabulary: [...HOST, ...VFIO, 'vmm.vfio.device.bind_sva', 'vmm.vfio.device.unbind_sva'],
    // nothing is pinned or charged: the mm's pinning ops and the limits are not part of it.
    ops: opsOf(['mm.mmap', 'mm.write', 'mm.fault_in', 'mm.migrate', 'mm.invalidate_range', 'vfio', 'vfio_iommu_type1.open', 'vfio_iommu_type1.attach_group', 'vfio_iommu_type1.detach_group', 'vfio_iommu_type1.release', 'sva', 'device'], ['vfio.dma_map', 'vfio.dma_unmap']),
  },
];

/** The family a built-in scenario belongs to. */
export function familyOf(scenario: string): Family | undefined {
  return FAMILIES.find((f) => f.scenarios.includes(scenario));
}
