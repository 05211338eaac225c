/**
 * VFIO_IOMMU_MAP_DMA (`vfio_dma_do_map`), with the checks of kernel-facts §5.2 in the kernel's
 * order, then `vfio_pin_map_dma`: the vfio_dma is linked, and pinned, charged and mapped one
 * physically contiguous chunk at a time. A chunk that cannot be pinned (an unmapped page, or
 * RLIMIT_MEMLOCK) removes the vfio_dma with every chunk before it, as the kernel's unwind does;
 * only the pages faulted in on the way stay resident, as they do in the kernel.
 */
import { TYPE1_WRAP_EOVERFLOW } from '../../model/kernel-version.js';
import { PAGE_MASK_N, pageOf } from '../../memory/constants.js';
import { firstUnmapped } from '../../memory/mm.js';
import { OK, refused, type Outcome } from '../../model/outcome.js';
import type { Dma, Type1 } from '../../model/world.js';
import { opsOf } from '../../ops/registry.js';
import type { Type1Ops } from '../../ops/types.js';
import { U64_MAX } from '../../util/hex.js';
import { FORMATS } from '../../iommu/formats.js';
import { insertDma, lowerBound, overlaps } from './dma-list.js';
import { DMA_MAP_MINSZ, VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_MAP_FLAG_WRITE } from '../uapi.js';

/** VFIO_BATCH_MAX_CAPACITY: the page pointers one page holds (PAGE_SIZE / sizeof(struct page *)). */
const VFIO_BATCH_PAGES = 512;

const MAP_FLAGS = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;

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
    // no IOVA or vaddr wrap: -EINVAL, -EOVERFLOW since the overflow series.
    if (e.iova + e.size - 1n > U64_MAX || e.vaddr + e.size - 1n > U64_MAX) return refused(w.kernel >= TYPE1_WRAP_EOVERFLOW ? 'EOVERFLOW' : 'EINVAL');
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
    // s390_iommu_map_pages refuses a mapping without IOMMU_READ, and iommu_map a domain userspace
    // may not map (a KVM-owned one); the kernel finds both after pinning the first chunk and
    // unwinds it, so the call ends the same way when they are checked first.
    if (format.requiresRead && !read) return refused('EINVAL');
    const ops = opsOf(w);
    const owner = ops.iommu.domain_owner_check(w, dom, 'vfio');
    if (owner) return refused(owner);

    // the vfio_dma is linked and counted before anything is pinned; it grows chunk by chunk
    // (dma->size), and a failure part-way removes it with what it had mapped (vfio_pin_map_dma).
    const dma: Dma = { iovaPage, pages: 0, vaddrPage: pageOf(e.vaddr), vaddrInvalid: false, read, write, pfns: [], accounted: 0, lockCap: mm.capIpcLock, mm: container.mm };
    insertDma(t1.dmas, dma);
    t1.dmaAvail--;
    while (dma.pages < pages) {
      const got = ops.vfio_iommu_type1.pin_pages_remote(w, dma, dma.vaddrPage + dma.pages, pages - dma.pages);
      if ('code' in got) {
        ops.vfio_iommu_type1.remove_dma(w, t1, dma);
        return refused(got.code);
      }
      // dma->size covers the chunk once it is mapped; the pins are held already, so the holder
      // lookup may see it from the first entry written.
      dma.pages += got.pfns.length;
      ops.vfio_iommu_type1.iommu_map(w, t1, dma, got.pfns);
    }
    return OK;
  },

  pin_pages_remote(w, dma, vaddrPage, npage) {
    const ops = opsOf(w);
    const mm = w.mms.get(dma.mm)!;
    // vaddr_get_pfns pins a batch first (pin_user_pages_remote); the limit is checked page by page
    // after, and a failure unpins the whole batch (unpin_out): the pins and unpins are real work
    // the cost counters show, though the frames end as they were. The model pins the batch's
    // physically contiguous run, which is the whole batch for memory faulted in in order.
    const run: number[] = [];
    let hole = false;
    for (let i = 0; i < Math.min(npage, VFIO_BATCH_PAGES); i++) {
      // no VMA: gup stops there (EFAULT once the pages before it are done).
      if (firstUnmapped(mm, vaddrPage + i, 1) === 0) {
        hole = true;
        break;
      }
      // pages faulted in on the way stay resident whatever happens, as pin_user_pages leaves them.
      const pfn = ops.mm.fault_in(w, mm, vaddrPage + i);
      // one call maps one physically contiguous run; the next page starts the next call.
      if (run.length > 0 && pfn !== run[run.length - 1] + 1) break;
      ops.mm.pin_page(w, pfn);
      run.push(pfn);
    }
    let failed: 'EFAULT' | 'ENOMEM' | undefined = run.length === 0 ? 'EFAULT' : undefined;
    for (let k = 0; k < run.length && !failed; k++) {
      if (!dma.lockCap && mm.lockedVm + k + 1 > mm.memlockPages) failed = 'ENOMEM';
    }
    // the run reached a page without a VMA: refilling the batch there fails the whole call.
    if (!failed && hole) failed = 'EFAULT';
    if (failed) {
      // unpin_out: what this call pinned goes back; nothing of it was charged.
      for (const pfn of run) ops.mm.unpin_page(w, pfn);
      return { code: failed };
    }
    // CAP_IPC_LOCK skips the limit, never the charge.
    ops.vfio_iommu_type1.lock_acct(w, mm, run.length);
    dma.pfns.push(...run);
    dma.accounted += run.length;
    return { pfns: run };
  },

  lock_acct(w, mm, npages) {
    opsOf(w).mm.account_locked_vm(w, mm, npages);
  },

  iommu_map(w, t1, dma, pfns) {
    opsOf(w).iommu.map_pages(w, w.domains.get(t1.domain)!, dma.iovaPage + dma.pages - pfns.length, pfns, dma.read, dma.write);
  },
};
