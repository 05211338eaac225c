/**
 * sPAPR preregistered memory (arch/powerpc/mm/book3s64/iommu_api.c, and the container side in
 * vfio_iommu_spapr_tce.c): regions belong to the process (mm->context.iommu_group_mem_list), a
 * container only references them (container->prereg_list). Registering the exact region the
 * process already has takes a reference and neither pins nor charges again; an overlapping one is
 * EINVAL whichever container registered the first. Translation (mm_iommu_lookup) reads the
 * process's list, so one container may map memory another registered.
 */
import type { EventOf } from '../events/types.js';
import { pageOf } from '../memory/constants.js';
import { firstUnmapped, type Mm, type MmIommuRegion } from '../memory/mm.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import { canCharge } from '../mm/pages.js';
import type { Container, SpaprIommu, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { SPAPR_UNREGISTER_KEEPS_MAPPED } from '../model/kernel-version.js';
import { U64_MAX } from '../util/hex.js';

const exact = (r: MmIommuRegion, vaddrPage: number, pages: number) => r.vaddrPage === vaddrPage && r.pages === pages;

/** mm_iommu_lookup: the region of the process holding virtual page `vpage`, with the page's index in it. */
export function mmRegionAt(mm: Mm, vpage: number): { region: MmIommuRegion; index: number } | undefined {
  const region = mm.iommuMem.find((r) => vpage >= r.vaddrPage && vpage < r.vaddrPage + r.pages);
  return region ? { region, index: vpage - region.vaddrPage } : undefined;
}

/** The preregistered region (of any process) that pinned frame `pfn`: its mapped count follows the TCEs into it. */
export function regionHolding(w: World, pfn: number): MmIommuRegion | undefined {
  for (const mm of w.mms.values()) for (const r of mm.iommuMem) if (r.pfns.includes(pfn)) return r;
  return undefined;
}

/** Unpins and uncharges a region and drops it from the process's list (mm_iommu_release). */
function releaseRegion(w: World, mm: Mm, r: MmIommuRegion): void {
  const ops = opsOf(w);
  for (const pfn of r.pfns) ops.mm.unpin_page(w, pfn);
  ops.mm.account_locked_vm(w, mm, -r.pages);
  mm.iommuMem.splice(mm.iommuMem.indexOf(r), 1);
}

/** mm_iommu_put: the last user frees the region unless a TCE still points into it (EBUSY, nothing changed). */
function mmPut(w: World, mm: Mm, r: MmIommuRegion): 'EBUSY' | undefined {
  if (r.used > 1) {
    r.used--;
    return undefined;
  }
  if (r.mapped > 0) return 'EBUSY';
  releaseRegion(w, mm, r);
  return undefined;
}

/** VFIO_IOMMU_SPAPR_REGISTER_MEMORY (tce_iommu_register_pages, mm_iommu_new). */
export function registerMemory(w: World, c: Container, s: SpaprIommu, e: EventOf<'vmm.vfio.spapr.register_memory'>): Outcome {
  if (e.flags !== 0 || e.size === 0n || ((e.vaddr | e.size) & 0xfffn) !== 0n || e.vaddr + e.size > U64_MAX) return refused('EINVAL');
  const vaddrPage = pageOf(e.vaddr);
  const pages = pageOf(e.size);
  const mm = w.mms.get(c.mm)!;
  const same = mm.iommuMem.find((r) => exact(r, vaddrPage, pages));
  if (same) {
    // mm_iommu_get found it: this container already holds it (EBUSY), or it takes a reference.
    if (s.prereg.some((x) => x.vaddrPage === vaddrPage && x.pages === pages)) return refused('EBUSY');
    same.used++;
    s.prereg.push({ vaddrPage, pages });
    s.enabled = true;
    return OK;
  }
  // mm_iommu_do_alloc: charge first (ENOMEM), pin (EFAULT, unwound), then the overlap test (EINVAL, unwound).
  if (!canCharge(mm, pages, mm.capIpcLock)) return refused('ENOMEM');
  const ops = opsOf(w);
  const pfns: number[] = [];
  const unwind = (code: 'EFAULT' | 'EINVAL') => {
    for (const pfn of pfns) ops.mm.unpin_page(w, pfn);
    return refused(code);
  };
  for (let i = 0; i < pages; i++) {
    if (firstUnmapped(mm, vaddrPage + i, 1) === 0) return unwind('EFAULT');
    const pfn = ops.mm.fault_in(w, mm, vaddrPage + i);
    ops.mm.pin_page(w, pfn);
    pfns.push(pfn);
  }
  if (mm.iommuMem.some((r) => r.vaddrPage < vaddrPage + pages && vaddrPage < r.vaddrPage + r.pages)) return unwind('EINVAL');
  ops.mm.account_locked_vm(w, mm, pages);
  mm.iommuMem.push({ vaddrPage, pages, pfns, used: 1, mapped: 0 });
  s.prereg.push({ vaddrPage, pages });
  s.enabled = true;
  return OK;
}

/**
 * VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY (tce_iommu_unregister_pages). Since v5.0 it holds its own
 * reference around the container's put, so the final put's EBUSY for a region still mapped is
 * dropped: the ioctl returns 0, the container forgets the region, and the process keeps it
 * (pinned and charged, used 1) until it is registered and unregistered again unmapped, or the
 * process exits. Before v5.0 mm_iommu_put's EBUSY was the answer.
 */
export function unregisterMemory(w: World, c: Container, s: SpaprIommu, e: EventOf<'vmm.vfio.spapr.unregister_memory'>): Outcome {
  if (e.flags !== 0 || ((e.vaddr | e.size) & 0xfffn) !== 0n) return refused('EINVAL');
  const vaddrPage = pageOf(e.vaddr);
  const pages = pageOf(e.size);
  const mm = w.mms.get(c.mm)!;
  const r = mm.iommuMem.find((x) => exact(x, vaddrPage, pages));
  if (!r) return refused('ENOENT');
  const ref = s.prereg.findIndex((x) => x.vaddrPage === vaddrPage && x.pages === pages);
  if (ref < 0) return refused('ENOENT');
  if (w.kernel < SPAPR_UNREGISTER_KEEPS_MAPPED) {
    const busy = mmPut(w, mm, r);
    if (busy) return refused(busy);
  } else {
    // mm_iommu_get's reference makes the container's put never the last; the final put's EBUSY
    // (a TCE still points into the region) is dropped, leaving it with the process at used 1.
    mmPut(w, mm, r);
  }
  s.prereg.splice(ref, 1);
  return OK;
}

/**
 * tce_iommu_release: the container drops each region it registered. A region another container
 * still maps stays with the process (the kernel WARNs there); the rest go with their last user.
 */
export function releasePrereg(w: World, c: Container, s: SpaprIommu): void {
  const mm = w.mms.get(c.mm);
  for (const ref of s.prereg.splice(0)) {
    const r = mm?.iommuMem.find((x) => exact(x, ref.vaddrPage, ref.pages));
    if (mm && r) mmPut(w, mm, r);
  }
}
