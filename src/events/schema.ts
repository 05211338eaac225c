/**
 * The event vocabulary, declared once. Every event the model knows is a key of EVENT_SCHEMA; its
 * value lists the fields with their kinds. The parser, the TypeScript types, the id checker, the
 * reducer's exhaustive switch and the documentation all derive from this table.
 *
 * Prefixes say who acts: `host.*` the host kernel or administrator, `vmm.*` an ioctl or syscall of
 * the VMM process, `guest.*` the guest CPU, `device.*` the passed-through device.
 */
import { bytes, create, optU64, ref, u32, u64 } from './fields.js';

/** RLIMIT_MEMLOCK default since Linux 5.16 (8 MiB). */
export const DEFAULT_MEMLOCK = 8n * 1024n * 1024n;

/** QEMU's defaults for a zPCI function's DMA address range (start_dma, end_dma), kernel-facts §1.4. */
export const ZPCI_SDMA_ADDR = 0x100000000n;
export const ZPCI_EDMA_ADDR = 0x1ffffffffffffffn;

/** The `vmm.*` events that are plain memory syscalls, not ioctls (every other one counts as an ioctl). */
const VMM_MEMORY_CALLS: ReadonlySet<string> = new Set(['vmm.mmap', 'vmm.mem.write']);

/** Whether an event is an ioctl the VMM issues (for the cost counters). */
export function isIoctl(type: string): boolean {
  return type.startsWith('vmm.') && !VMM_MEMORY_CALLS.has(type);
}

export const EVENT_SCHEMA = {
  // Host topology and administration.
  /** Must come before any other host event: the architecture decides the IOMMU table format. */
  'host.boot': {
    arch: { kind: 'enum', values: ['x86', 's390', 'ppc64'] },
    /** How a vfio device learns its kvm: the v3-era group notifier, or capture at first open (6.0+); the design's choice when absent. */
    kvmAssociation: { kind: 'enum', values: ['open', 'notifier'], optional: true },
    /** A registered design (vkm variants); '' is the reference design. Logs may spell it `variant`. */
    design: { kind: 'name', default: '' },
    /** The kernel version, MAJOR.MINOR, for calls whose answer changed across releases; the model's default when absent. */
    kernel: { kind: 'name', default: '' },
    /** The content hash of the user module that registered the design (written by vkm check --out). */
    module: { kind: 'hash', optional: true },
  },
  /** The deferred IOTLB sync of a lazy-flush unmap path (only a variant defers it). */
  'host.iommu.sync': { container: ref('container') },
  'host.process.spawn': {
    mm: create('mm'),
    memlock: { kind: 'u64', default: DEFAULT_MEMLOCK },
    capIpcLock: { kind: 'bool', default: false },
  },
  'host.rlimit.set': { mm: ref('mm'), memlock: u64 },
  'host.cap.set': { mm: ref('mm'), capIpcLock: { kind: 'bool' } },
  'host.pci.device.add': {
    device: create('device'),
    group: { kind: 'declare', object: 'group' },
    driver: { kind: 'enum', values: ['vfio-pci', 'pci-stub', 'none', 'host'], default: 'vfio-pci' },
    /** The group's default domain: DMA-API translation, or identity (iommu=pt). */
    defaultDomain: { kind: 'enum', values: ['dma', 'identity'], default: 'dma' },
  },
  'host.mm.migrate': { mm: ref('mm'), hva: u64, pfn: optU64 },
  /** /sys/module/vfio_iommu_type1/parameters/dma_entry_limit; read when a type1 container is set up. */
  'host.vfio.dma_entry_limit': { limit: u32 },

  // VMM process memory.
  'vmm.mmap': { mm: ref('mm'), hva: u64, size: u64 },
  'vmm.mem.write': { mm: ref('mm'), hva: u64, data: bytes },

  // KVM.
  'vmm.kvm.create_vm': { vm: create('vm'), mm: ref('mm') },
  'vmm.kvm.set_user_memory_region': {
    vm: ref('vm'),
    slot: u32,
    flags: { kind: 'u32', default: 0 },
    gpa: u64,
    size: u64,
    hva: u64,
  },
  'vmm.kvm.close_vm': { vm: ref('vm') },
  /** KVM_SET_USER_MEMORY_REGION that only adds KVM_MEM_LOG_DIRTY_PAGES to an existing slot. */
  'vmm.kvm.dirty_log.enable': { vm: ref('vm'), slot: u32 },
  /** KVM_GET_DIRTY_LOG: returns the slot's bitmap (little-endian longs) and clears it. */
  'vmm.kvm.dirty_log.get': { vm: ref('vm'), slot: u32 },
  'vmm.kvm.create_device': {
    vm: ref('vm'),
    dev: create('kvmdev'),
    kind: { kind: 'enum', values: ['vfio'], default: 'vfio' },
  },
  'vmm.kvm.vfio.file_add': { dev: ref('kvmdev'), group: ref('group') },
  'vmm.kvm.vfio.file_del': { dev: ref('kvmdev'), group: ref('group') },
  /** KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE: struct kvm_vfio_spapr_tce { groupfd, tablefd }. */
  'vmm.kvm.vfio.set_spapr_tce': { dev: ref('kvmdev'), group: ref('group'), table: ref('tcetable') },
  /**
   * stage2-shared design: the group's IOMMU walks the VM's stage-2 (EPT) table instead of its
   * container's domain (a KVM-VFIO attribute in the manner of SET_SPAPR_TCE).
   */
  'vmm.kvm.vfio.share_stage2': { dev: ref('kvmdev'), group: ref('group') },
  'vmm.kvm.device.close': { dev: ref('kvmdev') },

  // VFIO container, group and device fds.
  'vmm.vfio.container.open': { container: create('container'), mm: ref('mm') },
  'vmm.vfio.container.close': { container: ref('container') },
  'vmm.vfio.set_iommu': { container: ref('container'), iommu: u32 },
  'vmm.vfio.group.open': { group: ref('group'), mm: ref('mm') },
  'vmm.vfio.group.close': { group: ref('group') },
  'vmm.vfio.group.set_container': { group: ref('group'), container: ref('container') },
  'vmm.vfio.group.unset_container': { group: ref('group') },
  'vmm.vfio.group.get_device_fd': { group: ref('group'), device: ref('device'), fd: create('devfd') },
  'vmm.vfio.device.close': { fd: ref('devfd') },
  /** sva-pri design: the device's DMA uses the VMM process's own page table (PASID bound to its mm), with page requests. */
  'vmm.vfio.device.bind_sva': { fd: ref('devfd') },
  'vmm.vfio.device.unbind_sva': { fd: ref('devfd') },

  // VFIO type1 MAP_DMA / UNMAP_DMA (struct vfio_iommu_type1_dma_map / _unmap).
  'vmm.vfio.dma.map': {
    container: ref('container'),
    argsz: { kind: 'u32', default: 32 },
    flags: { kind: 'u32', default: 3 },
    vaddr: u64,
    iova: u64,
    size: u64,
  },
  'vmm.vfio.dma.unmap': {
    container: ref('container'),
    argsz: { kind: 'u32', default: 24 },
    flags: { kind: 'u32', default: 0 },
    iova: u64,
    size: u64,
  },

  // s390 zPCI: the VMM plugs a VFIO device into the guest as a zPCI function.
  'vmm.s390.zpci.plug': {
    vm: ref('vm'),
    device: ref('device'),
    /** The function handle while disabled; enabling sets FH_MASK_ENABLE (0x80000000). */
    fh: u32,
    /** The RPCIT design of this function; the world's design decides when absent. */
    design: { kind: 'enum', values: ['userspace', 'kvm-shadow'], optional: true },
    sdma: { kind: 'u64', default: ZPCI_SDMA_ADDR },
    edma: { kind: 'u64', default: ZPCI_EDMA_ADDR },
  },
  /** KVM_S390_ZPCI_OP REG_AEN / DEREG_AEN (kernel-facts §3.1). */
  'vmm.kvm.s390.zpci_op': {
    vm: ref('vm'),
    fh: u32,
    op: { kind: 'enum', values: ['reg_aen', 'dereg_aen'] },
    ibv: { kind: 'u64', default: 0n },
    sb: { kind: 'u64', default: 0n },
    flags: { kind: 'u32', default: 0 },
    noi: { kind: 'u32', default: 64 },
  },
  /** CLP SET PCI FUNCTION (enable / disable). */
  'guest.s390.clp.set_pci_fn': { vm: ref('vm'), fh: u32, op: { kind: 'enum', values: ['enable', 'disable'] } },
  /** MPCIFC: the FIB (80 bytes, big-endian) is read from guest memory at `fib`. */
  'guest.s390.mpcifc': {
    vm: ref('vm'),
    fh: u32,
    fc: { kind: 'enum', values: ['reg_ioat', 'dereg_ioat', 'rereg_ioat', 'reset_error', 'reset_block'] },
    fib: u64,
    dmaas: { kind: 'u32', default: 0 },
  },
  /** RPCIT: refresh the translations of [iova, iova + len). */
  'guest.s390.rpcit': { vm: ref('vm'), fh: u32, iova: u64, len: u64 },
  /** A Linux guest's reaction to "insufficient resources": RPCIT over the whole registered range. */
  'guest.s390.refresh_all': { vm: ref('vm'), fh: u32 },

  // sPAPR: KVM's in-kernel TCE tables and the guest's TCE hypercalls (kernel-facts §7.3).
  /** KVM_CREATE_SPAPR_TCE_64; offset and size are in IOMMU pages of 1 << pageShift bytes. */
  'vmm.kvm.create_spapr_tce_64': {
    vm: ref('vm'),
    table: create('tcetable'),
    liobn: u64,
    pageShift: u32,
    flags: { kind: 'u32', default: 0 },
    offset: u64,
    size: u64,
  },
  'vmm.kvm.spapr_tce.close': { table: ref('tcetable') },
  /** VFIO_IOMMU_SPAPR_REGISTER_MEMORY / UNREGISTER_MEMORY (struct vfio_iommu_spapr_register_memory). */
  'vmm.vfio.spapr.register_memory': { container: ref('container'), flags: { kind: 'u32', default: 0 }, vaddr: u64, size: u64 },
  'vmm.vfio.spapr.unregister_memory': { container: ref('container'), flags: { kind: 'u32', default: 0 }, vaddr: u64, size: u64 },
  /** VFIO_IOMMU_SPAPR_TCE_CREATE: returns the window's start_addr. */
  'vmm.vfio.spapr.tce_create': {
    container: ref('container'),
    flags: { kind: 'u32', default: 0 },
    pageShift: u32,
    windowSize: u64,
    levels: { kind: 'u32', default: 1 },
  },
  'vmm.vfio.spapr.tce_remove': { container: ref('container'), flags: { kind: 'u32', default: 0 }, startAddr: u64 },
  'guest.spapr.h_put_tce': { vm: ref('vm'), liobn: u64, ioba: u64, tce: u64 },
  'guest.spapr.h_put_tce_indirect': { vm: ref('vm'), liobn: u64, ioba: u64, tceList: u64, npages: u64 },
  'guest.spapr.h_stuff_tce': { vm: ref('vm'), liobn: u64, ioba: u64, tceValue: u64, npages: u64 },
  'guest.spapr.h_get_tce': { vm: ref('vm'), liobn: u64, ioba: u64 },

  // Guest CPU.
  'guest.mem.write': { vm: ref('vm'), gpa: u64, data: bytes },
  'guest.mem.read': { vm: ref('vm'), gpa: u64, len: u32 },

  // The passed-through device.
  'device.dma.read': { device: ref('device'), iova: u64, len: u32 },
  'device.dma.write': { device: ref('device'), iova: u64, data: bytes },
} as const;
