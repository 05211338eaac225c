/**
 * VFIO_IOMMU_UNMAP_DMA (`vfio_dma_do_unmap`), kernel-facts §5.3: argument checks, the v2
 * no-bisect rule, unmap-all, and removal of whole vfio_dma ranges in the kernel's order: clear the
 * IOMMU entries, sync the IOTLB, and only then unpin and uncharge.
 */
import { TYPE1_WRAP_EOVERFLOW } from '../../model/kernel-version.js';
import { PAGE_MASK_N, pageOf } from '../../memory/constants.js';
import { OK, refused } from '../../model/outcome.js';
import type { Dma } from '../../model/world.js';
import { opsOf } from '../../ops/registry.js';
import type { Type1Ops } from '../../ops/types.js';
import { U64_MAX } from '../../util/hex.js';
import { findDma, lowerBound } from './dma-list.js';
import { DMA_UNMAP_MINSZ, VFIO_DMA_UNMAP_FLAG_ALL, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, VFIO_DMA_UNMAP_FLAG_VADDR } from '../uapi.js';

const UNMAP_FLAGS = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR;
const PAGE_SIZE_N = 4096n;

export const TYPE1_UNMAP_OPS: Pick<Type1Ops, 'unmap_dma' | 'unmap_unpin' | 'unpin_pages_remote' | 'remove_dma' | 'iommu_sync'> = {
  unmap_dma(w, _c, t1, e) {
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
      if (e.iova + e.size - 1n > U64_MAX) return refused(w.kernel >= TYPE1_WRAP_EOVERFLOW ? 'EOVERFLOW' : 'EINVAL');
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
    const ops = opsOf(w);
    for (const d of victims) {
      unmapped += BigInt(d.pages) * PAGE_SIZE_N;
      ops.vfio_iommu_type1.remove_dma(w, t1, d);
    }
    return { code: 'OK', value: unmapped };
  },

  remove_dma(w, t1, dma) {
    opsOf(w).vfio_iommu_type1.unmap_unpin(w, t1, dma);
    t1.dmas.splice(t1.dmas.indexOf(dma), 1);
    t1.dmaAvail++;
  },

  unmap_unpin(w, t1, dma) {
    const ops = opsOf(w);
    const dom = w.domains.get(t1.domain)!;
    ops.iommu.unmap_pages(w, dom, dma.iovaPage, dma.pages);
    ops.iommu.iotlb_sync(w, dom);
    // only now, with no translation left anywhere, may the pages go.
    ops.vfio_iommu_type1.unpin_pages_remote(w, dma);
  },

  unpin_pages_remote(w, dma) {
    const ops = opsOf(w);
    for (const pfn of dma.pfns) ops.mm.unpin_page(w, pfn);
    const mm = w.mms.get(dma.mm);
    if (mm) ops.vfio_iommu_type1.lock_acct(w, mm, -dma.accounted);
  },

  iommu_sync(w, e) {
    const t1 = w.containers.get(e.container)?.iommu;
    if (!t1) return refused('EBADF');
    const ops = opsOf(w);
    const dom = w.domains.get(t1.domain)!;
    for (const r of t1.pendingSync ?? []) {
      ops.iommu.unmap_pages(w, dom, r.iovaPage, r.pages);
      ops.iommu.iotlb_sync(w, dom);
    }
    t1.pendingSync = undefined;
    return OK;
  },
};
