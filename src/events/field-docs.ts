/**
 * Units and encodings of the fields whose kind alone does not say them: bytes or pages, flag
 * bits, what a handle or a TCE holds. Beside the vocabulary (schema.ts), keyed by event type and
 * field; `vkm events` prints them and a test holds every key to a real field.
 */
import type { EventType } from './types.js';

const BYTES_ALIGNED = 'bytes, page-aligned (4 KiB)';

export const FIELD_DOCS: { readonly [K in EventType]?: Readonly<Record<string, string>> } = {
  'host.boot': { kernel: 'MAJOR.MINOR, e.g. "6.19"; "" is the default, 6.12 (README: Architectures and kernel versions)' },
  'host.process.spawn': { memlock: 'RLIMIT_MEMLOCK in bytes (charges are counted in 4 KiB pages)' },
  'host.rlimit.set': { memlock: 'RLIMIT_MEMLOCK in bytes; lowering it never revokes charges' },
  'host.mm.migrate': { hva: 'a byte address inside the page to move', pfn: 'the frame number to move it to (any free frame when absent)' },
  'vmm.mmap': { hva: BYTES_ALIGNED, size: BYTES_ALIGNED },
  'vmm.mem.write': { hva: 'byte address' },
  'vmm.kvm.set_user_memory_region': { flags: 'KVM_MEM_LOG_DIRTY_PAGES 1, KVM_MEM_READONLY 2', gpa: BYTES_ALIGNED, size: BYTES_ALIGNED, hva: BYTES_ALIGNED },
  'vmm.vfio.set_iommu': { iommu: 'VFIO_TYPE1_IOMMU 1, VFIO_TYPE1v2_IOMMU 3, VFIO_SPAPR_TCE_v2_IOMMU 7, VFIO_KVM_IOMMU 11 (the s390 v4 proposal)' },
  'vmm.vfio.dma.map': { argsz: 'bytes of struct vfio_iommu_type1_dma_map (32)', flags: 'VFIO_DMA_MAP_FLAG_READ 1, WRITE 2, VADDR 4', vaddr: BYTES_ALIGNED, iova: BYTES_ALIGNED, size: BYTES_ALIGNED },
  'vmm.vfio.dma.unmap': { argsz: 'bytes of struct vfio_iommu_type1_dma_unmap (24)', flags: 'VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP 1, ALL 2, VADDR 4', iova: BYTES_ALIGNED, size: BYTES_ALIGNED },
  'vmm.s390.zpci.plug': { fh: 'the function handle while disabled; enabling sets 0x80000000', sdma: 'first DMA address (bytes)', edma: 'last DMA address (bytes, inclusive)' },
  'vmm.kvm.s390.zpci_op': { flags: 'KVM_S390_ZPCIOP_REGAEN_HOST 1', ibv: 'guest address of the interrupt bit vector', sb: 'guest address of the summary bit (0: none)', noi: 'number of interrupts' },
  'guest.s390.clp.set_pci_fn': { fh: 'function handle (enabled handles have 0x80000000 set)' },
  'guest.s390.mpcifc': { fh: 'enabled function handle', fib: 'guest address of the 80-byte big-endian FIB, doubleword-aligned', dmaas: 'DMA address space (0)' },
  'guest.s390.rpcit': { fh: 'enabled function handle', iova: 'bytes', len: 'bytes' },
  'vmm.kvm.create_spapr_tce_64': { liobn: 'the logical I/O bus number the guest names in hypercalls', pageShift: 'log2 of the IOMMU page size (12..34)', flags: 'none defined: must be 0', offset: 'IOMMU pages (of 1 << pageShift bytes), not bytes', size: 'IOMMU pages (of 1 << pageShift bytes), not bytes' },
  'vmm.vfio.spapr.register_memory': { flags: 'none defined: must be 0', vaddr: BYTES_ALIGNED, size: BYTES_ALIGNED },
  'vmm.vfio.spapr.unregister_memory': { flags: 'none defined: must be 0', vaddr: BYTES_ALIGNED, size: BYTES_ALIGNED },
  'vmm.vfio.spapr.tce_create': { flags: 'none defined: must be 0', pageShift: 'log2 of the IOMMU page size (12 or 16)', windowSize: 'bytes, not pages', levels: 'levels of the TCE table (1..5)' },
  'vmm.vfio.spapr.tce_remove': { flags: 'none defined: must be 0', startAddr: 'any bus address inside the window (bytes)' },
  'guest.spapr.h_put_tce': { ioba: 'bus address (bytes)', tce: 'real address | permission bits (1 read, 2 write); 0 clears' },
  'guest.spapr.h_put_tce_indirect': { ioba: 'bus address (bytes)', tceList: 'guest address of a 4 KiB-aligned list of big-endian TCEs', npages: 'TCEs in the list (at most 512)' },
  'guest.spapr.h_stuff_tce': { ioba: 'bus address (bytes)', tceValue: 'the TCE written to each entry', npages: 'entries' },
  'guest.spapr.h_get_tce': { ioba: 'bus address (bytes)' },
  'guest.mem.read': { gpa: 'guest physical address (bytes)', len: 'bytes' },
  'guest.mem.write': { gpa: 'guest physical address (bytes)' },
  'device.dma.read': { iova: 'bus address (bytes)', len: 'bytes' },
  'device.dma.write': { iova: 'bus address (bytes)' },
};
