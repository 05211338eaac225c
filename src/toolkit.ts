/**
 * The toolkit: the building blocks the reference ops are made of, exported so that a variant's
 * op can be written without deep imports. Each export keeps the doc comment of its definition.
 * Steps that change the world (pins, charges, faults, table writes the design owns) should go
 * through `opsOf(w)` where an op exists for them, so that other variants' replacements are seen;
 * the helpers here are the byte-level and lookup parts below the ops. Bytes are written only
 * through `frameForWrite` (or the table writers built on it), and only in the range it was given:
 * a page read with `frameForRead` may be shared with other worlds the checker keeps, and the
 * checker's undo journal and page hashes know only the ranges writers name.
 *
 * @example
 * import { opsOf, registerDesign } from 'vfio-kvm-model';
 * registerDesign({
 *   name: 'unpin-first',
 *   description: 'type1 unpins a vfio_dma before it removes the translations',
 *   ops: {
 *     vfio_iommu_type1: {
 *       unmap_unpin: () => (w, t1, dma) => {
 *         const ops = opsOf(w);
 *         ops.vfio_iommu_type1.unpin_pages_remote(w, dma);
 *         const dom = w.domains.get(t1.domain)!;
 *         ops.iommu.unmap_pages(w, dom, dma.iovaPage, dma.pages);
 *         ops.iommu.iotlb_sync(w, dom);
 *       },
 *     },
 *   },
 * });
 */

// ops tables, designs, and tables chosen per object
export { opsOf, registerDesign, designNamed, designNames, requireDesign, designOf, REFERENCE, type Design, type DesignSpec, type DesignConfig, type OpOverride, type OpsOverrides, type MachineOverrides } from './ops/registry.js';
export { machineOf, designMachine, recordMachineSteps, type MachineStep } from './ops/machines.js';
export { MACHINES, TABLES, type MachineName } from '../machines/index.js';
export { kvmAssociationOps, zpciDesignOps } from './ops/select.js';
export type * from './ops/types.js';
export { REFERENCE_OPS } from './designs/reference.js';

// outcomes: the kernel's codes as data
export { OK, refused, FAULT, type Outcome } from './model/outcome.js';
export { OUTCOME_CODES, SUCCESS_CODES } from './model/codes.js';
export { ccOk, ccErr, ccInvalHandle, ST } from './s390/status.js';
export { H } from './spapr/layout.js';

// addresses, frames and bytes
export { PAGE_SIZE, PAGE_SHIFT_N, addrOf, pageOf } from './memory/constants.js';
export { allocFrame, freeFrame, copyFrame, frameForRead, frameForWrite } from './memory/frames.js';
export { readU64, writeU64, readU32 } from './memory/bits.js';
export { readThrough, readU64Through, writePhysU64, readPhysU64, type PageResolver } from './memory/phys.js';
export { findVma, firstUnmapped, type Mm } from './memory/mm.js';

// pins and locked_vm (read-only helpers; the steps are opsOf(w).mm.*)
export { canCharge, pinCount, moveFrame } from './mm/pages.js';
export { anonOwner, domainTableOwner, IOMMU_OWNER, KVM_OWNER, PROCESS_OWNER, TABLE_OWNERS } from './memory/owners.js';
export { stepPoint, STEP_OPS, type StepKind } from './ops/steps.js';

// IOMMU table formats: every host table format, its reads and writes
export { FORMATS, hostFormat } from './iommu/formats.js';
export type { TableFormat, Translation, Leaf } from './iommu/format.js';
export { vtdTranslate, vtdLeaves } from './iommu/vtd/table.js';
export { readHostPte, readHostPtes, setDomainPte } from './iommu/s390/host-table.js';
export { validPte, ZPCI_PTE_INVALID, ZPCI_TABLE_PROTECTED, FRAME_PAGE } from './iommu/s390/layout.js';
export { walkGuestTable } from './iommu/s390/guest-walk.js';
export { svaRange } from './iommu/sva.js';

// KVM: memslots, guest memory, KVM's pins, the stage-2 table
export { gpaToHvaPage, slotOf, markDirty, noteWritten, stepVm } from './kvm/memslots.js';
export { guestResolver, guestRamPage, faultInGuestPage } from './kvm/guest-memory.js';
export { kvmPinsOf } from './kvm/pins.js';
export { s2Lookup, s2Install, s2Zap, s2WriteProtect, s2MakeWritable, s2IsDirty, s2SetDirty, s2TestAndClearDirty, s2SlotPages, s2Leaves } from './kvm/stage2/table.js';
export { sharedDomainOf, sharedTranslate } from './kvm/stage2/shared.js';

// sPAPR: KVM TCE tables and the container's hardware windows
export { findTable, tceGet, tcePut, tceClearRange } from './spapr/tce-table.js';
export { spaprEntries, spaprTranslate, compatibleWindow, preregFrame } from './spapr/container.js';
export { hwUpdate, hwClear } from './spapr/binding.js';
export { TCE_PCI_READ, TCE_PCI_WRITE, TCE_PERM_MASK } from './spapr/layout.js';

// s390 zPCI: functions and their handles
export { findByFh, currentFh, vmOf } from './s390/zpci.js';
export { walkFailure } from './s390/walk-failure.js';
