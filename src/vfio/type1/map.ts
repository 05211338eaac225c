/**
 * VFIO_IOMMU_MAP_DMA (`vfio_dma_do_map`), with the checks of kernel-facts §5.2 in the kernel's
 * order, pinning and charging at map time. All checks run before any state changes, so a refused
 * map leaves nothing behind, as the kernel's unwind does.
 */
import { PAGE_MASK_N, pageOf } from '../../memory/constants.js';
import { firstUnmapped, type Mm } from '../../memory/mm.js';
import { OK, refused, type Outcome } from '../../model/outcome.js';
import type { Type1 } from '../../model/world.js';
import { opsOf } from '../../ops/registry.js';
import type { Type1Ops } from '../../ops/types.js';
import { U64_MAX } from '../../util/hex.js';
import { FORMATS } from '../../iommu/formats.js';
import { insertDma, lowerBound, overlaps } from './dma-list.js';
import { DMA_MAP_MINSZ, VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_MAP_FLAG_WRITE } from '../uapi.js';

const MAP_FLAGS = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;

/** Where the pin loop would stop: the first page that is unmapped (EFAULT) or over the limit (ENOMEM). Pure. */
export function pinFailure(mm: Mm, vaddrPage: number, pages: number, lockCap: boolean): string | undefined {
  const unmapped = firstUnmapped(mm, vaddrPage, pages);
  // vfio_pin_pages_remote checks each page in order: get the pfn (EFAULT), then the limit (ENOMEM).
  const room = lockCap ? Infinity : Math.max(0, mm.memlockPages - mm.lockedVm);
  const overLimitAt = room >= pages ? -1 : room;
  if (unmapped >= 0 && (overLimitAt < 0 || unmapped <= overLimitAt)) return 'EFAULT';
  if (overLimitAt >= 0) return 'ENOMEM';
  return undefined;
}

/** MAP_DMA with FLAG_VADDR: gives an invalidated vfio_dma its new vaddr; it must match exactly. */
function updateVaddr(t1: Type1, iovaPage: number, pages: number, vaddrPage: number): Outcome {
  const i = lowerBound(t1.dmas, iovaPage);
  const dma = t1.dmas[i];
  if (dma === undefined || dma.iovaPage >= iovaPage + pages) return refused('ENOENT');
  if (!dma.vaddrInvalid || dma.iovaPage !== iovaPage || dma.pages !== pages) return refused('EINVAL');
  dma.vaddrPage = vaddrPage;
  dma.vaddrInvalid = false;
  return OK;
}

export const TYPE1_MAP_OPS: Pick<Type1Ops, 'map_dma' | 'pin_pages_remote' | 'lock_acct' | 'iommu_map'> = {
  map_dma(w, container, t1, e) {
    if (e.argsz < DMA_MAP_MINSZ || (e.flags & ~MAP_FLAGS) !== 0) return refused('EINVAL');
    const read = (e.flags & VFIO_DMA_MAP_FLAG_READ) !== 0;
    const write = (e.flags & VFIO_DMA_MAP_FLAG_WRITE) !== 0;
    const setVaddr = (e.flags & VFIO_DMA_MAP_FLAG_VADDR) !== 0;
    if ((read || write) === setVaddr) return refused('EINVAL');
    if (e.size === 0n || ((e.size | e.iova | e.vaddr) & PAGE_MASK_N) !== 0n) return refused('EINVAL');
    if (e.iova + e.size - 1n > U64_MAX || e.vaddr + e.size - 1n > U64_MAX) return refused('EINVAL');
    const iovaPage = pageOf(e.iova);
    const pages = pageOf(e.size);
    if (setVaddr) return updateVaddr(t1, iovaPage, pages, pageOf(e.vaddr));
    if (overlaps(t1.dmas, iovaPage, pages)) return refused('EEXIST');
    if (t1.dmaAvail === 0) return refused('ENOSPC');
    const dom = w.domains.get(t1.domain)!;
    const format = FORMATS[dom.format];
    // the aperture minus reserved regions (kernel-facts §5.2 step 8; s390: below start_dma is reserved, §1.4).
    if (iovaPage < format.firstPage || iovaPage + pages > format.aperturePages) return refused('EINVAL');
    const mm = w.mms.get(container.mm)!;
    const lockCap = mm.capIpcLock;
    const vaddrPage = pageOf(e.vaddr);
    const failure = pinFailure(mm, vaddrPage, pages, lockCap);
    if (failure) return refused(failure);
    // s390_iommu_map_pages refuses a mapping without IOMMU_READ; type1 unwinds the pins.
    if (format.requiresRead && !read) return refused('EINVAL');
    const ops = opsOf(w);
    // iommu_map refuses a domain userspace may not map (a KVM-owned one); type1 unwinds the pins.
    const owner = ops.iommu.domain_owner_check(w, dom, 'vfio');
    if (owner) return refused(owner);

    const pfns = ops.vfio_iommu_type1.pin_pages_remote(w, mm, vaddrPage, pages, lockCap);
    const dma = { iovaPage, pages, vaddrPage, vaddrInvalid: false, read, write, pfns, accounted: pages, lockCap, mm: container.mm };
    ops.vfio_iommu_type1.iommu_map(w, t1, dma);
    insertDma(t1.dmas, dma);
    t1.dmaAvail--;
    return OK;
  },

  pin_pages_remote(w, mm, vaddrPage, pages) {
    const ops = opsOf(w);
    const pfns: number[] = new Array(pages);
    for (let i = 0; i < pages; i++) {
      pfns[i] = ops.mm.fault_in(w, mm, vaddrPage + i);
      ops.mm.pin_page(w, pfns[i]);
    }
    // CAP_IPC_LOCK skips the limit (checked by the caller), never the charge.
    ops.vfio_iommu_type1.lock_acct(w, mm, pages);
    return pfns;
  },

  lock_acct(w, mm, npages) {
    opsOf(w).mm.account_locked_vm(w, mm, npages);
  },

  iommu_map(w, t1, dma) {
    opsOf(w).iommu.map_pages(w, w.domains.get(t1.domain)!, dma.iovaPage, dma.pfns, dma.read, dma.write);
  },
};
