/**
 * The reference design: every ops table as the kernel (and QEMU) code reads, assembled from the
 * subsystems that implement them. Registered once, before any other design, under the name
 * "reference" (a world's design '' means it).
 */
import { DEVICE_OPS } from '../device/dma.js';
import { HOST_OPS } from '../host/admin.js';
import { IOMMU_OPS } from '../iommu/domain.js';
import { SVA_OPS } from '../iommu/sva.js';
import { KVM_DIRTY_LOG_OPS } from '../kvm/dirty-log.js';
import { KVM_VFIO_OPS } from '../kvm/kvm-vfio.js';
import { KVM_PIN_OPS } from '../kvm/pins.js';
import { KVM_MMU_OPS } from '../kvm/stage2/mmu.js';
import { STAGE2_SHARE_OPS } from '../kvm/stage2/shared.js';
import { KVM_VM_OPS } from '../kvm/vm.js';
import { MM_OPS } from '../mm/ops.js';
import { registerReference } from '../ops/registry.js';
import type { Ops } from '../ops/types.js';
import { zpciOp } from '../s390/aen.js';
import { ZPCI_KVM_SHADOW_OPS } from '../s390/design-kvm-shadow.js';
import { ZPCI_USERSPACE_OPS } from '../s390/design-userspace.js';
import { KVM_ASSOCIATION_NOTIFIER, KVM_ASSOCIATION_OPEN, KVM_S390_REGISTER_OPS } from '../s390/kvm-register.js';
import { mpcifc } from '../s390/mpcifc.js';
import { ZPCI_RPCIT_OPS } from '../s390/rpcit.js';
import { ZPCI_FUNCTION_OPS } from '../s390/zpci.js';
import { KVM_TCE_BINDING_OPS } from '../spapr/binding.js';
import { SPAPR_TCE_OPS } from '../spapr/container.js';
import { KVM_HCALL_OPS } from '../spapr/hcalls.js';
import { KVM_TCE_TABLE_OPS } from '../spapr/tce-table.js';
import { VFIO_CONTAINER_OPS } from '../vfio/container.js';
import { VFIO_GROUP_OPS } from '../vfio/group.js';
import { TYPE1_MAP_OPS } from '../vfio/type1/map.js';
import { TYPE1_INSTANCE_OPS } from '../vfio/type1/type1.js';
import { TYPE1_UNMAP_OPS } from '../vfio/type1/unmap.js';

/** The reference tables; `satisfies` makes a missing op a compile error. */
export const REFERENCE_OPS = {
  host: HOST_OPS,
  mm: MM_OPS,
  vfio: { ...VFIO_CONTAINER_OPS, ...VFIO_GROUP_OPS },
  vfio_iommu_type1: { ...TYPE1_INSTANCE_OPS, ...TYPE1_MAP_OPS, ...TYPE1_UNMAP_OPS },
  iommu: IOMMU_OPS,
  vfio_iommu_spapr_tce: SPAPR_TCE_OPS,
  kvm_spapr_tce: { ...KVM_TCE_TABLE_OPS, ...KVM_TCE_BINDING_OPS, ...KVM_HCALL_OPS },
  kvm: { ...KVM_VM_OPS, ...KVM_PIN_OPS, ...KVM_DIRTY_LOG_OPS },
  kvm_mmu: KVM_MMU_OPS,
  kvm_stage2_share: STAGE2_SHARE_OPS,
  kvm_vfio: KVM_VFIO_OPS,
  kvm_association_open: KVM_ASSOCIATION_OPEN,
  kvm_association_notifier: KVM_ASSOCIATION_NOTIFIER,
  kvm_s390_pci: { ...KVM_S390_REGISTER_OPS, zpci_op: zpciOp },
  zpci: { ...ZPCI_FUNCTION_OPS, ...ZPCI_RPCIT_OPS, mpcifc },
  zpci_userspace: ZPCI_USERSPACE_OPS,
  zpci_kvm_shadow: ZPCI_KVM_SHADOW_OPS,
  sva: SVA_OPS,
  device: DEVICE_OPS,
} satisfies Ops;

export const REFERENCE_DESIGN = registerReference(
  'the passthrough paths as Linux and QEMU implement them (with the v4 zPCI proposal\'s KVM-owned domain for VFIO_KVM_IOMMU containers)',
  REFERENCE_OPS,
);
