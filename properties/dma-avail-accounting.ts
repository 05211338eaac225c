/**
 * dma-avail-accounting: every type1 container's dma_avail equals the dma_entry_limit it started
 * from minus its live vfio_dmas (vfio_dma_do_map takes one entry, vfio_remove_dma gives it back,
 * kernel-facts §5.2). A leaked entry is invisible until, many cycles later, MAP_DMA fails with
 * ENOSPC; this finds it on the first one.
 */
import type { Invariant, Violation } from './types.js';

export const dmaAvailAccounting: Invariant = {
  name: 'dma-avail-accounting',
  kind: 'invariant',
  reads: ['containers'],
  description: 'dma_avail equals dma_entry_limit minus the vfio_dmas of the container',
  check(view) {
    const out: Violation[] = [];
    for (const c of view.w.containers.values()) {
      const t1 = c.iommu;
      if (!t1) continue;
      const expect = t1.entryLimit - t1.dmas.length;
      if (t1.dmaAvail !== expect) {
        out.push({ property: this.name, message: `container ${c.id} has dma_avail ${t1.dmaAvail} but dma_entry_limit ${t1.entryLimit} less ${t1.dmas.length} vfio_dmas is ${expect}` });
      }
    }
    return out;
  },
};
