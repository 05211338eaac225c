/**
 * Who a frame is allocated for (FramePool.owner), named so that an owner's start tells what kind
 * of page the frame holds. Properties say by these starts which frames they read
 * (properties/types.ts `frameOwners`), so a guest's store to its own memory does not make the
 * checker look at the host's tables again.
 */

/** Host IOMMU tables: a domain's translation tables, a container's hardware TCE tables. */
export const IOMMU_OWNER = 'iommu:';
/** KVM's own pages: a VM's stage-2 tables, its TCE tables, its GISA. */
export const KVM_OWNER = 'kvm:';
/** A process's memory: the VMM's, the guest's RAM (and the DMA tables the guest builds in it) included. */
export const PROCESS_OWNER = 'anon:';

export const anonOwner = (mm: string): string => PROCESS_OWNER + mm;
export const domainTableOwner = (domain: string): string => IOMMU_OWNER + domain;
export const hardwareTceOwner = (container: string): string => IOMMU_OWNER + 'tce:' + container;
export const stage2Owner = (vm: string): string => KVM_OWNER + vm;
export const kvmTceOwner = (table: string): string => KVM_OWNER + 'tce:' + table;
export const gisaOwner = (vm: string): string => KVM_OWNER + 'gisa:' + vm;

/** Every table a device's or KVM's walks read (IOMMU and KVM pages): what the built-in invariants read of the frames. */
export const TABLE_OWNERS: readonly string[] = [IOMMU_OWNER, KVM_OWNER];
