/**
 * The built-in designs: the reference, and each design the mailing-list threads argued over, by
 * name. Most are the reference tables under the name a reviewer knows them by, with the
 * configuration that design implies; two replace ops (liobn-to-group, stage2-shared-dirty-bits), and liobn-to-group a machine guard.
 * Seeded faults are designs too, in faults/.
 */
import { registerDesign } from '../ops/registry.js';
import './reference.js';

export const S390_USERSPACE = registerDesign({
  name: 's390-userspace',
  description: 's390 zPCI, the merged design: RPCIT exits to QEMU, which walks the guest tables and maps each page through VFIO type1',
  config: { zpci: 'userspace', arch: ['s390'] },
});

export const S390_KVM_SHADOW = registerDesign({
  name: 's390-kvm-shadow',
  description: 's390 zPCI, the v4 proposal: KVM intercepts RPCIT and shadows the guest tables into a KVM-owned IOMMU domain (VFIO_KVM_IOMMU)',
  config: { zpci: 'kvm-shadow', arch: ['s390'] },
});

export const KVM_OWNED_DOMAIN = registerDesign({
  name: 'kvm-owned-domain',
  description: 'the v4 KVM-owned IOMMU domain (IOMMU_DOMAIN_KVM): its own ops, so userspace MAP/UNMAP_DMA cannot change it',
  base: 's390-kvm-shadow',
});

export const KVM_DOMAIN_LENT_FLAG = registerDesign({
  name: 'kvm-domain-lent-flag',
  description: 'the alternative to a KVM-owned domain: the container\'s type1 paging domain is flagged "lent out to KVM" while a zPCI function\'s IOAT is registered, and userspace maps are refused while it is',
  base: 's390-kvm-shadow',
  machines: { 'domain-owner': { guards: { lendable: () => true } } },
});

export const ASSOCIATION_AT_OPEN = registerDesign({
  name: 'kvm-association-at-open',
  description: 'a VFIO device captures the group\'s kvm at its first open, with a reference (6.0+, the final zPCI series)',
  config: { kvmAssociation: 'open' },
});

export const ASSOCIATION_NOTIFIER = registerDesign({
  name: 'kvm-association-notifier',
  description: 'a zPCI device learns its kvm through the VFIO_GROUP_NOTIFY_SET_KVM group notifier (v1-v3 of the zPCI series), keeping a pointer, not a reference',
  config: { kvmAssociation: 'notifier' },
});

export const LIOBN_TO_CONTAINER = registerDesign({
  name: 'liobn-to-container',
  description: "sPAPR: a LIOBN is bound to the groups' container; KVM hypercalls kill every group of the container, including groups added later (the reviewer's design)",
  config: { arch: ['ppc64'] },
});

export const LIOBN_TO_GROUP = registerDesign({
  name: 'liobn-to-group',
  description: 'sPAPR: a LIOBN is bound to VFIO groups; KVM hypercalls kill the TCE caches of the bound groups only (the 2016 patch)',
  ops: { kvm_spapr_tce: { kill_groups: () => (_w, _c, bound) => bound } },
  machines: { liobn: { guards: { bindsContainer: () => false } } },
  config: { arch: ['ppc64'] },
});

export const STAGE2_SHARED = registerDesign({
  name: 'stage2-shared',
  description: "x86: a group's IOMMU walks KVM's stage-2 (EPT) table; KVM pins every guest page and refuses dirty logging",
  config: { arch: ['x86'] },
});

export const STAGE2_SHARED_DIRTY_BITS = registerDesign({
  name: 'stage2-shared-dirty-bits',
  description: 'stage2-shared with dirty logging through the D bits the CPU and the IOMMU set (second-stage A/D); GET_DIRTY_LOG harvests them and flushes the IOTLB',
  base: 'stage2-shared',
  // where the reference refuses to log (a table an IOMMU walks), this design logs by D bits.
  ops: { kvm_mmu: { dirty_log_mode: (base) => (w, vm) => (base(w, vm) === 'refused' ? 'dirty-bits' : base(w, vm)) } },
});

export const SVA_PRI = registerDesign({
  name: 'sva-pri',
  description: "x86: a device's PASID is bound to the VMM's mm (SVA); nothing is pinned, misses raise page requests, the mmu notifier invalidates the ATC",
  config: { arch: ['x86'] },
});
