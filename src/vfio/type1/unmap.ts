/**
 * VFIO_IOMMU_UNMAP_DMA (`vfio_dma_do_unmap`), kernel-facts §5.3: argument checks, the v2
 * no-bisect rule, unmap-all, and removal of whole vfio_dma ranges in the kernel's order: clear the
 * IOMMU entries, sync the IOTLB, and only then unpin and uncharge.
 */
import { PAGE_MASK_N, pageOf } from '../../memory/constants.js';
import type { EventOf } from '../../events/types.js';
import { OK, refused, type Outcome } from '../../model/outcome.js';
import { pointsOf } from '../../model/variant.js';
import { uncharge, unpinFrame } from '../../model/pages.js';
import type { Dma, Domain, Type1, World } from '../../model/world.js';
import { U64_MAX } from '../../util/hex.js';
import { FORMATS } from '../../iommu/formats.js';
import { findDma, lowerBound } from './dma-list.js';
import { type1Of } from './type1.js';
import {
  DMA_UNMAP_MINSZ,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
  VFIO_DMA_UNMAP_FLAG_VADDR,
} from './uapi.js';

const UNMAP_FLAGS = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR;
const PAGE_SIZE_N = 4096n;

function unmapFromDomain(w: World, dom: Domain, iovaPage: number, pages: number): void {
  const format = FORMATS[dom.format];
  for (let i = 0; i < pages; i++) format.unmap(w.frames, dom.root, iovaPage + i);
  w.stats.iotlbFlushes++;
}

/** host.iommu.sync: performs the IOTLB syncs a lazy unmap path deferred (nothing for the reference design). */
export function iommuSync(w: World, e: EventOf<'host.iommu.sync'>): Outcome {
  const t1 = w.containers.get(e.container)?.iommu;
  if (!t1) return refused('EBADF');
  const dom = w.domains.get(t1.domain)!;
  for (const r of t1.pendingSync ?? []) unmapFromDomain(w, dom, r.iovaPage, r.pages);
  t1.pendingSync = undefined;
  return OK;
}

export function dmaUnmap(w: World, e: EventOf<'vmm.vfio.dma.unmap'>): Outcome {
  const got = type1Of(w, e.container);
  if ('code' in got) return got;
  const { t1 } = got;
  if (e.argsz < DMA_UNMAP_MINSZ || (e.flags & ~UNMAP_FLAGS) !== 0) return refused('EINVAL');
  const dirty = (e.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) !== 0;
  const all = (e.flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0;
  const vaddr = (e.flags & VFIO_DMA_UNMAP_FLAG_VADDR) !== 0;
  if (dirty && (all || vaddr)) return refused('EINVAL');
  // dirty-page tracking (VFIO_IOMMU_DIRTY_PAGES START) is never started here, so a bitmap request is invalid.
  if (dirty) return refused('EINVAL');

  let startPage: number;
  let endPage: number; // exclusive
  if (all) {
    if (e.iova !== 0n || e.size !== 0n) return refused('EINVAL');
    startPage = 0;
    endPage = Number.MAX_SAFE_INTEGER;
  } else {
    if ((e.iova & PAGE_MASK_N) !== 0n) return refused('EINVAL');
    if (e.size === 0n || (e.size & PAGE_MASK_N) !== 0n) return refused('EINVAL');
    if (e.iova + e.size - 1n > U64_MAX) return refused('EINVAL');
    startPage = pageOf(e.iova);
    endPage = startPage + pageOf(e.size);
    if (t1.v2) {
      const first = findDma(t1.dmas, startPage);
      if (first && first.iovaPage !== startPage) return refused('EINVAL');
      const last = findDma(t1.dmas, endPage - 1);
      if (last && last.iovaPage + last.pages !== endPage) return refused('EINVAL');
    }
  }

  const victims: Dma[] = [];
  for (let i = lowerBound(t1.dmas, startPage); i < t1.dmas.length; i++) {
    const d = t1.dmas[i];
    if (d.iovaPage >= endPage) break;
    // v1: an unmap that starts inside a mapping stops there (kernel-facts §5.3).
    if (!t1.v2 && d.iovaPage < startPage) break;
    victims.push(d);
  }
  let unmapped = 0n;
  if (vaddr) {
    // live update: all-or-nothing invalidation of the vaddrs; pins and translations stay.
    if (victims.some((d) => d.vaddrInvalid)) return refused('EINVAL');
    for (const d of victims) {
      d.vaddrInvalid = true;
      unmapped += BigInt(d.pages) * PAGE_SIZE_N;
    }
    return { code: 'OK', value: unmapped };
  }
  for (const d of victims) {
    unmapped += BigInt(d.pages) * PAGE_SIZE_N;
    removeDma(w, t1, d);
  }
  return { code: 'OK', value: unmapped };
}

/** vfio_remove_dma: unmap from the domain, sync the IOTLB, then unpin and uncharge. */
export function removeDma(w: World, t1: Type1, dma: Dma): void {
  const dom = w.domains.get(t1.domain)!;
  if (pointsOf(w).type1UnpinBeforeUnmap) {
    // the faulty order: pages released now, translations removed at the deferred sync.
    t1.pendingSync = [...(t1.pendingSync ?? []), { iovaPage: dma.iovaPage, pages: dma.pages }];
  } else {
    unmapFromDomain(w, dom, dma.iovaPage, dma.pages);
  }
  for (const pfn of dma.pfns) unpinFrame(w, pfn);
  const mm = w.mms.get(dma.mm);
  if (mm) uncharge(mm, dma.accounted);
  t1.dmas.splice(t1.dmas.indexOf(dma), 1);
  t1.dmaAvail++;
}
