/**
 * The refusals of every event: each code the kernel (or, for a hypercall KVM hands off, QEMU) can
 * answer it with in this model, declared once beside the vocabulary. Two tests hold the table to
 * the model: no event is ever refused with a code its row does not list, and every code a row
 * lists is reached by some default run of `vkm check` or some bundled log under examples/.
 * A new event type, or a new refusal, needs its row here and a run or log that reaches it.
 *
 * Only what a well-formed log can meet is listed: an event naming an id no earlier event created
 * is refused when the log is read, before anything runs, so the code the handlers keep for an
 * unknown process (ESRCH), group (ENOENT) or design (EINVAL) is not.
 */
import type { OutcomeCode } from '../model/codes.js';
import { ARCH_ONLY, ARCHES, NO_SUCH_INSTRUCTION } from './arch.js';
import type { EventType } from './types.js';

/** The codes a row may list: neither a success code nor one of the model's own (MODEL_ONLY_CODES). */
type Refusals = Exclude<OutcomeCode, 'OK' | 'CC0' | 'H_SUCCESS' | 'CLP_RC_OK' | 'ID_IN_USE' | 'OVER_LIMIT'>;

const OWN: Record<EventType, readonly Refusals[]> = {
  // Host administration: not syscalls of the VMM; the model's own errno for a bad request
  // (EINVAL: a design of another architecture's kernel, or a kernel version that is not MAJOR.MINOR).
  'host.boot': ['EBUSY', 'EINVAL'],
  'host.iommu.sync': ['EBADF'],
  'host.process.spawn': [],
  'host.rlimit.set': [],
  'host.cap.set': [],
  'host.pci.device.add': ['EBUSY', 'EINVAL'],
  // migrate_pages: a pinned page cannot move (EBUSY), an untouched one has nothing to move (ENOENT).
  'host.mm.migrate': ['EINVAL', 'ENOENT', 'EBUSY'],
  'host.vfio.dma_entry_limit': [],

  // VMM memory syscalls.
  'vmm.mmap': ['EINVAL', 'EEXIST', 'ENOMEM'],
  'vmm.mem.write': ['EFAULT'],

  // KVM ioctls (virt/kvm/kvm_main.c, kvm-vfio.c, book3s_64_vio.c, arch/s390/kvm/pci.c).
  'vmm.kvm.create_vm': [],
  'vmm.kvm.set_user_memory_region': ['EBADF', 'EINVAL', 'EEXIST', 'EFAULT', 'ENOMEM'],
  'vmm.kvm.close_vm': ['EBADF'],
  'vmm.kvm.dirty_log.enable': ['EBADF', 'EINVAL'],
  'vmm.kvm.dirty_log.get': ['EBADF', 'EINVAL', 'ENOENT'],
  'vmm.kvm.create_device': ['EBADF', 'EBUSY'],
  'vmm.kvm.vfio.file_add': ['EBADF', 'EEXIST'],
  'vmm.kvm.vfio.file_del': ['EBADF', 'ENOENT'],
  'vmm.kvm.vfio.set_spapr_tce': ['EBADF', 'ENXIO', 'ENOENT', 'EINVAL'],
  'vmm.kvm.vfio.share_stage2': ['EBADF', 'ENOENT', 'ENODEV', 'EINVAL', 'EBUSY', 'EFAULT', 'ENOMEM'],
  'vmm.kvm.device.close': ['EBADF'],
  'vmm.kvm.s390.zpci_op': ['EBADF', 'ENODEV', 'EINVAL', 'EPERM', 'EIO'],
  'vmm.kvm.create_spapr_tce_64': ['EBADF', 'ENOTTY', 'EINVAL', 'ENOMEM', 'EBUSY'],
  'vmm.kvm.spapr_tce.close': ['EBADF'],

  // VFIO container, group and device fds (drivers/vfio/container.c, group.c).
  'vmm.vfio.container.open': [],
  'vmm.vfio.container.close': ['EBADF'],
  'vmm.vfio.set_iommu': ['EBADF', 'EINVAL', 'ENODEV'],
  'vmm.vfio.group.open': ['EBUSY'],
  'vmm.vfio.group.close': ['EBADF'],
  'vmm.vfio.group.set_container': ['EBADF', 'EINVAL', 'EPERM'],
  'vmm.vfio.group.unset_container': ['EBADF', 'EINVAL', 'EBUSY'],
  'vmm.vfio.group.get_device_fd': ['EBADF', 'EINVAL', 'ENODEV'],
  'vmm.vfio.device.close': ['EBADF'],
  'vmm.vfio.device.bind_sva': ['EBADF', 'ENODEV', 'EBUSY'],
  'vmm.vfio.device.unbind_sva': ['EBADF', 'EINVAL'],

  // VFIO type1 and sPAPR TCE v2 (vfio_iommu_type1.c, vfio_iommu_spapr_tce.c).
  // EOVERFLOW: a range that wraps, on kernels with the 2025 overflow series (host.boot kernel).
  'vmm.vfio.dma.map': ['EBADF', 'EINVAL', 'EPERM', 'ENXIO', 'EEXIST', 'ENOSPC', 'EFAULT', 'ENOMEM', 'ENOENT', 'EOVERFLOW'],
  'vmm.vfio.dma.unmap': ['EBADF', 'EINVAL', 'EPERM', 'ENXIO', 'EOVERFLOW'],
  'vmm.vfio.spapr.register_memory': ['EBADF', 'ENOTTY', 'EINVAL', 'EBUSY', 'EFAULT', 'ENOMEM'],
  'vmm.vfio.spapr.unregister_memory': ['EBADF', 'ENOTTY', 'EINVAL', 'ENOENT', 'EBUSY'],
  'vmm.vfio.spapr.tce_create': ['EBADF', 'ENOTTY', 'EINVAL', 'ENOSPC', 'ENOMEM'],
  'vmm.vfio.spapr.tce_remove': ['EBADF', 'ENOTTY', 'EINVAL'],

  // s390 zPCI: the VMM's plug, and the guest's instructions (cc with status, program checks, CLP).
  'vmm.s390.zpci.plug': ['EBADF', 'ENODEV', 'EEXIST', 'EINVAL'],
  'guest.s390.clp.set_pci_fn': ['EBADF', 'CLP_RC_SETPCIFN_FH', 'CLP_RC_SETPCIFN_FHOP'],
  'guest.s390.mpcifc': ['EBADF', 'CC1', 'CC3', 'PGM_SPECIFICATION', 'PGM_OPERAND', 'PGM_ADDRESSING'],
  'guest.s390.rpcit': ['EBADF', 'CC1', 'CC3'],
  'guest.s390.refresh_all': ['EBADF', 'CC1', 'CC3'],

  // sPAPR TCE hypercalls (H_TOO_HARD never reaches the guest: QEMU answers those).
  'guest.spapr.h_put_tce': ['EBADF', 'H_PARAMETER'],
  'guest.spapr.h_put_tce_indirect': ['EBADF', 'H_PARAMETER'],
  'guest.spapr.h_stuff_tce': ['EBADF', 'H_PARAMETER'],
  'guest.spapr.h_get_tce': ['EBADF', 'H_PARAMETER'],

  // The guest CPU: a VM that is gone (EBADF), an address no memslot holds (EFAULT).
  'guest.mem.write': ['EBADF', 'EFAULT'],
  'guest.mem.read': ['EBADF', 'EFAULT'],

  // The device: what the IOMMU answers a DMA with.
  'device.dma.read': ['IOMMU_FAULT_NOT_PRESENT', 'IOMMU_FAULT_READ', 'IOMMU_FAULT_BLOCKED'],
  'device.dma.write': ['IOMMU_FAULT_NOT_PRESENT', 'IOMMU_FAULT_WRITE', 'IOMMU_FAULT_BLOCKED'],
};

/**
 * The table: each event's own refusals, and for an event that exists on some architectures only,
 * what the others answer (events/arch.ts): an ioctl's code, or the guest CPU's no-such-instruction
 * exception of each other architecture.
 */
export const REFUSALS: Record<EventType, readonly Refusals[]> = Object.fromEntries(
  Object.entries(OWN).map(([type, own]) => {
    const only = ARCH_ONLY[type as EventType];
    if (!only) return [type, own];
    const elsewhere = only.elsewhere === 'instruction' ? ARCHES.filter((a) => !only.on.includes(a)).map((a) => NO_SUCH_INSTRUCTION[a]) : [only.elsewhere];
    return [type, [...new Set([...own, ...(elsewhere as Refusals[])])]];
  }),
) as Record<EventType, readonly Refusals[]>;

export type SuccessCode = 'OK' | 'CC0' | 'CLP_RC_OK' | 'H_SUCCESS';

/** What an event answers when it does what was asked: an ioctl's 0, an instruction's cc 0, CLP's response code, a hypercall's H_SUCCESS. */
export function successCode(type: EventType): SuccessCode {
  if (type === 'guest.s390.clp.set_pci_fn') return 'CLP_RC_OK';
  if (type.startsWith('guest.s390.')) return 'CC0';
  if (type.startsWith('guest.spapr.')) return 'H_SUCCESS';
  return 'OK';
}

/** Every code an event can answer with in this model: its success code, then its refusals. */
export function codesOf(type: EventType): OutcomeCode[] {
  return [successCode(type), ...REFUSALS[type]];
}
