/**
 * no-iova-to-unpinned-page: every valid translation in every host IOMMU table points to a pinned
 * frame that is still the current backing of the page it was mapped for (kernel-facts §8: a device
 * must never reach a page that was released or moved).
 */
import { hex } from '../src/util/hex.js';
import { addrOf } from '../src/memory/constants.js';
import { mappedPage } from './holders.js';
import type { Property, Violation } from './types.js';

export const noIovaToUnpinnedPage: Property = {
  name: 'no-iova-to-unpinned-page',
  kind: 'invariant',
  description: 'every valid IOMMU translation points to a pinned frame that still backs the mapped page',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const report = (message: string) => out.push({ property: this.name, message });
    for (const { domain, leaves } of view.domainLeaves()) {
      for (const { iovaPage, t } of leaves) {
        const where = () => `${domain.id} IOVA ${hex(addrOf(iovaPage))} maps frame ${hex(t.pfn)}`;
        const pins = w.pins.get(t.pfn) ?? 0;
        if (pins <= 0) report(`${where()} whose pin count is ${pins}`);
        const mapped = mappedPage(w, domain, iovaPage);
        if (mapped === 'skip') continue;
        if (mapped === 'unknown') {
          report(`${where()} but no mapping record accounts for that IOVA`);
          continue;
        }
        const vpage = mapped.vpage;
        const backing = w.mms.get(mapped.mm)?.pages.get(vpage);
        if (backing !== t.pfn) {
          report(`${where()} but vaddr ${hex(addrOf(vpage))} is backed by ${backing === undefined ? 'no frame' : 'frame ' + hex(backing)}`);
        }
      }
    }
    return out;
  },
};
