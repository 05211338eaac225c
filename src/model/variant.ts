/**
 * Design variants: named overrides of specific handlers, selected per world by `host.boot`'s
 * `variant` field so that a log carries the variant it ran under. The checker's seeded faults and
 * users' own designs are variants. A handler point is a small, named decision in the model;
 * overriding one never needs the rest of the model to change.
 */
import type { ZpciDesign } from '../s390/design.js';

/** Every overridable handler point, with what it decides. */
export interface HandlerPoints {
  /** The s390 designs' IOAT and RPCIT handlers. */
  zpciDesigns?: Partial<Record<'userspace' | 'kvm-shadow', Partial<ZpciDesign>>>;
  /** type1 unmap path: whether the translation is removed (and the IOTLB synced) before the pages are unpinned. */
  type1UnpinBeforeUnmap?: boolean;
  /** KVM shadowing: charge locked_vm for the pages it pins. */
  kvmShadowCharges?: boolean;
  /** KVM shadowing: the host protection for a guest entry (read-only stays read-only). */
  kvmShadowWritable?: (guestWritable: boolean) => boolean;
  /** KVM shadowing: unpin the page when a valid host entry is invalidated. */
  kvmShadowUnpinOnInvalidate?: boolean;
  /** KVM shadowing: pins dropped when the guest entry already matches the host entry. */
  kvmShadowPinsDroppedOnMatch?: number;
  /** zdev close_device: tear down KVM's shadow (unpin) before the function goes. */
  zdevCloseUnshadows?: boolean;
  /** SET_KVM notifier (v3): what a NULL kvm does to the zdev's kvm pointer. */
  notifierHonoursNull?: boolean;
  /** A KVM-owned domain whose ops are shared with userspace map/unmap (the "lent out to KVM" flag). */
  kvmDomainLentToUserspace?: boolean;
  /** sPAPR: what a LIOBN is bound to, so whose TCE caches KVM's hypercalls kill (the bound groups, or every group of their containers). */
  spaprBinding?: 'group' | 'container';
  /** sPAPR H_PUT_TCE in KVM: take the TCE's address as a host frame without translating or validating it. */
  kvmPutTceTrustsGuest?: boolean;
  /** stage2-shared: KVM allows dirty logging and write-protects the shared table, flushing only CPU TLBs (devices take no write-protection faults). */
  stage2SharedDirtyLog?: boolean;
  /**
   * stage2-shared: dirty logging through the table's dirty bits instead of write-protection. The
   * CPU and the IOMMU (second-stage A/D bits) set D on a write; GET_DIRTY_LOG harvests and clears
   * the D bits, then flushes the IOTLB so a device's next write sets D again.
   */
  stage2DirtyBits?: boolean;
  /** stage2-shared with dirty bits: GET_DIRTY_LOG clears D bits without flushing the IOTLB. */
  stage2DirtyClearNoFlush?: boolean;
  /** stage2-shared: KVM's TLB flushes never reach the IOMMU's IOTLB (only CPU TLBs are flushed). */
  stage2FlushCpuOnly?: boolean;
  /** stage2-shared: KVM's mmu-notifier handler zaps shared entries of pinned pages too (the migration then fails on the pin). */
  stage2ZapsPinned?: boolean;
  /** sva-pri: the host moves a page without invalidating the IOMMU's cached translations first. */
  svaMigrateSkipsInvalidate?: boolean;
}

export interface VariantSpec {
  readonly name: string;
  readonly description: string;
  readonly points: HandlerPoints;
}

const VARIANTS = new Map<string, VariantSpec>();

/** Registers a variant (library API); names are unique. */
export function registerVariant(spec: VariantSpec): VariantSpec {
  if (VARIANTS.has(spec.name) && VARIANTS.get(spec.name) !== spec) throw new Error(`variant ${spec.name} is already registered`);
  VARIANTS.set(spec.name, spec);
  return spec;
}

export function variantNamed(name: string): VariantSpec | undefined {
  return VARIANTS.get(name);
}

export function variantNames(): string[] {
  return [...VARIANTS.keys()];
}

const NONE: HandlerPoints = {};

/** The handler points in force in a world ('' is the reference design). */
export function pointsOf(w: { variant: string }): HandlerPoints {
  return w.variant ? (VARIANTS.get(w.variant)?.points ?? NONE) : NONE;
}
