/**
 * VFIO_IOMMU_MAP_DMA (`vfio_dma_do_map`), with the checks of kernel-facts §5.2 in the kernel's
 * order, pinning and charging at map time. All checks run before any state changes, so a refused
 * map leaves nothing behind, as the kernel's unwind does.
 */
import { PAGE_MASK_N, pageOf } from '../../memory/constants.js';
import type { EventOf } from '../../events/types.js';
import { OK, refused, type Outcome } from '../../model/outcome.js';
import { charge, pinFrame, touchPage } from '../../model/pages.js';
import type { Type1, World } from '../../model/world.js';
import { U64_MAX } from '../../util/hex.js';
import { FORMATS } from '../../iommu/formats.js';
import { pointsOf } from '../../model/variant.js';
import { firstUnmapped } from '../../memory/mm.js';
import { insertDma, lowerBound, overlaps } from './dma-list.js';
import { DMA_MAP_MINSZ, VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_MAP_FLAG_WRITE } from './uapi.js';
import { type1Of } from './type1.js';

const MAP_FLAGS = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;

/** Where the pin loop would stop: the first page that is unmapped (EFAULT) or over the limit (ENOMEM). */
export function pinFailure(w: World, mmId: string, vaddrPage: number, pages: number, lockCap: boolean): string | undefined {
  const mm = w.mms.get(mmId)!;
  const unmapped = firstUnmapped(mm, vaddrPage, pages);
  // vfio_pin_pages_remote checks each page in order: get the pfn (EFAULT), then the limit (ENOMEM).
  const room = lockCap ? Infinity : Math.max(0, mm.memlockPages - mm.lockedVm);
  const overLimitAt = room >= pages ? -1 : room;
  if (unmapped >= 0 && (overLimitAt < 0 || unmapped <= overLimitAt)) return 'EFAULT';
  if (overLimitAt >= 0) return 'ENOMEM';
  return undefined;
}

export function dmaMap(w: World, e: EventOf<'vmm.vfio.dma.map'>): Outcome {
  const got = type1Of(w, e.container);
  if ('code' in got) return got;
  const { t1, container } = got;
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
  const format = FORMATS[w.domains.get(t1.domain)!.format];
  // the aperture minus reserved regions (kernel-facts §5.2 step 8; s390: below start_dma is reserved, §1.4).
  if (iovaPage < format.firstPage || iovaPage + pages > format.aperturePages) return refused('EINVAL');
  const mm = w.mms.get(container.mm)!;
  const lockCap = mm.capIpcLock;
  const vaddrPage = pageOf(e.vaddr);
  const failure = pinFailure(w, container.mm, vaddrPage, pages, lockCap);
  if (failure) return refused(failure);
  // s390_iommu_map_pages refuses a mapping without IOMMU_READ; type1 unwinds the pins.
  if (format.requiresRead && !read) return refused('EINVAL');
  // a KVM-owned domain (v4) has its own ops: iommu_map from userspace is rejected and type1 unwinds.
  if (t1.kvm && !pointsOf(w).kvmDomainLentToUserspace) return refused('EINVAL');

  const pfns: number[] = new Array(pages);
  for (let i = 0; i < pages; i++) {
    pfns[i] = touchPage(w, mm, vaddrPage + i);
    pinFrame(w, pfns[i]);
  }
  charge(mm, pages);
  mapIntoDomain(w, t1, iovaPage, pfns, read, write);
  insertDma(t1.dmas, { iovaPage, pages, vaddrPage, vaddrInvalid: false, read, write, pfns, accounted: pages, lockCap, mm: container.mm });
  t1.dmaAvail--;
  return OK;
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

/** Writes the leaf entries of a new dma into the container's domain table. */
export function mapIntoDomain(w: World, t1: Type1, iovaPage: number, pfns: readonly number[], read: boolean, write: boolean): void {
  const dom = w.domains.get(t1.domain)!;
  const format = FORMATS[dom.format];
  for (let i = 0; i < pfns.length; i++) format.map(w.frames, dom.root, iovaPage + i, pfns[i], read, write, 'iommu:' + dom.id, dom.tables);
}

