/** The sorted list of a type1 container's vfio_dma ranges (the kernel's dma_list rb-tree). */
import type { Dma } from '../../model/world.js';

/** Index of the first dma whose end is above `page` (the first that could contain or follow it). */
export function lowerBound(dmas: readonly Dma[], page: number): number {
  let lo = 0;
  let hi = dmas.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dmas[mid].iovaPage + dmas[mid].pages <= page) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The dma containing `page`, if any. */
export function findDma(dmas: readonly Dma[], page: number): Dma | undefined {
  const d = dmas[lowerBound(dmas, page)];
  return d !== undefined && d.iovaPage <= page ? d : undefined;
}

/** True when any dma intersects [start, start+count). */
export function overlaps(dmas: readonly Dma[], start: number, count: number): boolean {
  const d = dmas[lowerBound(dmas, start)];
  return d !== undefined && d.iovaPage < start + count;
}

export function insertDma(dmas: Dma[], dma: Dma): void {
  dmas.splice(lowerBound(dmas, dma.iovaPage), 0, dma);
}
