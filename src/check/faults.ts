/**
 * The registry of seeded faults: each is a design variant (a few overridden handler points), the
 * built-in scenario it breaks and the property that must catch it. `vkm mutants` checks them all.
 */
import { registerVariant, type VariantSpec } from '../model/variant.js';
import type { Params } from './scenario.js';

export interface Fault {
  readonly variant: VariantSpec;
  readonly scenario: string;
  readonly params?: Params;
  /** The property the fault must violate. */
  readonly property: string;
}

const fault = (name: string, description: string, points: VariantSpec['points'], scenario: string, property: string, params?: Params): Fault => ({
  variant: registerVariant({ name, description, points }),
  scenario,
  property,
  params,
});

export const FAULTS: readonly Fault[] = [
  fault('type1-unpin-before-unmap', 'type1 unmap unpins the pages before removing the translation and syncing the IOTLB', { type1UnpinBeforeUnmap: true }, 'type1-unmap', 'no-iova-to-unpinned-page'),
  fault('kvm-leak-on-invalidate', 'the guest invalidates an entry and KVM never unpins the page (leak)', { kvmShadowUnpinOnInvalidate: false }, 'rpcit-shadow', 'pin-balance'),
  fault('kvm-ro-as-rw', 'a read-only guest entry is shadowed as writable', { kvmShadowWritable: () => true }, 'rpcit-shadow', 'translation-coherence'),
  fault('kvm-double-unpin', 'KVM unpins twice when an RPCIT repeats an unchanged entry', { kvmShadowPinsDroppedOnMatch: 2 }, 'rpcit-shadow', 'pin-balance'),
  fault('kvm-rpcit-no-charge', "the KVM RPCIT path pins without charging locked_vm (the v4 review's objection)", { kvmShadowCharges: false }, 'rpcit-shadow', 'locked-vm-accounting'),
  fault('close-device-no-unpin', 'close_device drops the zPCI function without unpinning what KVM shadowed', { zdevCloseUnshadows: false }, 'zpci-teardown', 'pin-balance'),
  fault('notifier-ignores-null', 'the v3 SET_KVM notifier ignores SET_KVM with NULL', { notifierHonoursNull: false }, 'zpci-teardown', 'no-dangling-kvm', { A: 1 }),
  fault('h-put-tce-unvalidated', "KVM's H_PUT_TCE writes the guest's TCE address into the hardware table as a host frame, unvalidated", { kvmPutTceTrustsGuest: true }, 'liobn-binding', 'isolation'),
  fault('sva-migrate-no-invalidate', 'SVA: the host moves a page without invalidating the IOMMU (the mmu notifier skipped)', { svaMigrateSkipsInvalidate: true }, 'sva-pri', 'iotlb-coherence'),
  fault('stage2-wp-no-fault-path', 'stage2-shared: KVM write-protects the shared table for dirty logging, flushing CPU TLBs only; devices take no write-protection faults, so their writes go unlogged', { stage2SharedDirtyLog: true }, 'stage2-shared', 'dirty-tracking-complete'),
  fault('stage2-flush-cpu-only', "stage2-shared: KVM's TLB flushes reach the CPUs but not the IOMMU's IOTLB, so a deleted memslot's pages are unpinned while the device still caches them", { stage2FlushCpuOnly: true }, 'stage2-shared', 'iotlb-coherence'),
  fault('stage2-dirty-bits-no-flush', 'stage2-shared with dirty bits: GET_DIRTY_LOG clears the D bits without flushing the IOTLB, so a device writing through a cached entry marked dirty never sets D again', { stage2DirtyBits: true, stage2DirtyClearNoFlush: true }, 'stage2-shared', 'dirty-tracking-complete'),
  fault('stage2-zap-pinned', "stage2-shared: KVM's mmu-notifier handler zaps the shared entry of a pinned page (the migration then fails on the pin)", { stage2ZapsPinned: true }, 'stage2-shared', 'shared-stage2-populated'),
  fault('kvm-domain-lent-out', 'the KVM-owned domain shares its ops with userspace map/unmap (the "lent out to KVM" flag)', { kvmDomainLentToUserspace: true }, 'kvm-domain-lent', 'kvm-domain-exclusive'),
];
