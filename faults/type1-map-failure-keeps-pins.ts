/**
 * type1's pinning loop, on hitting RLIMIT_MEMLOCK part-way through a chunk, returns the error
 * without unpinning the pages it pinned in that call (the unpin_out path dropped).
 */
import { firstUnmapped, opsOf, registerFault } from '../src/index.js';

export default registerFault({
  name: 'type1-map-failure-keeps-pins',
  description: 'vfio_pin_pages_remote fails part-way without unpinning what it pinned',
  scenario: 'type1-lifecycle',
  params: { P: 3 },
  property: 'pin-balance',
  ops: {
    vfio_iommu_type1: {
      pin_pages_remote: () => (w, dma, vaddrPage, npage) => {
        const ops = opsOf(w);
        const mm = w.mms.get(dma.mm)!;
        const pfns: number[] = [];
        for (let i = 0; i < npage; i++) {
          if (firstUnmapped(mm, vaddrPage + i, 1) === 0) return { code: 'EFAULT' };
          const pfn = ops.mm.fault_in(w, mm, vaddrPage + i);
          if (pfns.length > 0 && pfn !== pfns[pfns.length - 1] + 1) break;
          // the pages pinned so far stay pinned.
          if (!dma.lockCap && mm.lockedVm + pfns.length + 1 > mm.memlockPages) return { code: 'ENOMEM' };
          ops.mm.pin_page(w, pfn);
          pfns.push(pfn);
        }
        ops.vfio_iommu_type1.lock_acct(w, mm, pfns.length);
        dma.pfns.push(...pfns);
        dma.accounted += pfns.length;
        return { pfns };
      },
    },
  },
});
