/**
 * The model's bound on the work one event may ask for: the pages it touches (pins, walks, maps,
 * reads, a dirty bitmap's bits). Checked before any work starts (reduce.ts), so no guest-
 * or VMM-chosen number can make an event hang or exhaust memory: an event over the bound is
 * refused with the model-only OVER_LIMIT, which `vkm replay` reports as an input error naming the
 * limit and how to raise it (`--limit pages-per-event=N`). Every other event's work is bounded by
 * the state it already has (its mappings, its frames, HOST_FRAMES) or by the kernel's own limits
 * (512 TCEs per H_PUT_TCE_INDIRECT, KVM_MEM_MAX_NR_PAGES, dma_entry_limit). Across a log, the
 * frames in use are bounded too: an event is refused (OVER_LIMIT) when the frames in use plus
 * what it could allocate would pass the pool's limit, the host's 1 GiB unless raised
 * (`--limit frames=N`). Pure.
 */
import type { ModelEvent } from '../events/types.js';
import type { World } from '../model/world.js';
import { findByFh } from '../s390/zpci.js';


const EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Pages of [start, start + bytes), page-aligned outward; saturates rather than overflow. In
 * numbers while the range ends below 2^53 (every event is asked, and the bigint form made five
 * bigints), else in bigints.
 */
export function pagesOf(start: bigint, bytes: bigint): number {
  if (bytes <= 0n) return 0;
  if (start >= 0n && start <= EXACT && bytes <= EXACT) {
    const s = Number(start);
    const end = s + Number(bytes) - 1;
    if (end <= Number.MAX_SAFE_INTEGER) return Math.floor(end / 4096) - Math.floor(s / 4096) + 1;
  }
  const first = start >> 12n;
  const last = (start + bytes - 1n) >> 12n;
  const n = last - first + 1n;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/** The pages an event asks to touch; 0 for events whose work the state bounds. */
export function eventPages(w: World, e: ModelEvent): number {
  switch (e.type) {
    case 'vmm.vfio.dma.map':
    case 'vmm.vfio.spapr.register_memory':
      return pagesOf(e.vaddr, e.size);
    case 'guest.s390.rpcit': {
      // a range outside the registered pba..pal is refused before any walk (cc 1, an error event).
      const f = findByFh(w, e.vm, e.fh);
      const inside = f?.ioat && e.iova >= f.ioat.pba && e.len > 0n && e.iova + e.len - 1n <= f.ioat.pal;
      return inside ? pagesOf(e.iova, e.len) : 0;
    }
    case 'guest.s390.refresh_all': {
      const f = findByFh(w, e.vm, e.fh);
      return f?.ioat ? pagesOf(f.ioat.pba, f.ioat.pal - f.ioat.pba + 1n) : 0;
    }
    case 'guest.mem.read':
      return pagesOf(e.gpa, BigInt(e.len));
    case 'device.dma.read':
      return pagesOf(e.iova, BigInt(e.len));
    case 'vmm.kvm.dirty_log.enable':
    case 'vmm.kvm.dirty_log.get':
      return w.vms.get(e.vm)?.slots.find((s) => s.slot === e.slot)?.pages ?? 0;
    default:
      return 0;
  }
}

/**
 * The most frames an event touching `pages` pages can allocate: a frame per page (pinned,
 * faulted in or backing a table), the IOMMU, EPT and s390 table frames above them (at most one
 * per 64 pages in every format modelled: a table frame maps 256 to 512 pages), and a constant for
 * what every event may allocate (a VM's tables, a fault's chain of tables, a TCE table's frames).
 */
export function eventFrames(pages: number): number {
  return pages + Math.ceil(pages / 64) + 1024;
}

/** Whether `e` (touching `pages` pages) could take the pool past its limit of frames in use. */
export function overFrameLimit(w: World, pages: number): boolean {
  return w.frames.owner.size + eventFrames(pages) > w.frames.limit;
}

/** The field that names an event's size, for the input error of an event over the limit. */
export function limitedField(e: ModelEvent): string {
  switch (e.type) {
    case 'vmm.vfio.dma.map':
    case 'vmm.vfio.spapr.register_memory':
      return 'size';
    case 'guest.s390.rpcit':
    case 'guest.mem.read':
    case 'device.dma.read':
      return 'len';
    case 'guest.s390.refresh_all':
      return 'fh';
    default:
      return 'slot';
  }
}
