/**
 * no-iova-to-unpinned-page: every valid translation in every host IOMMU table points to a pinned
 * frame that is still the current backing of the page it was mapped for (kernel-facts §8: a device
 * must never reach a page that was released or moved).
 */
import { hex } from '../src/util/hex.js';
import { addrOf } from '../src/memory/constants.js';
import { mappedPage } from './holders.js';
import { spaprEntries } from '../src/spapr/container.js';
import type { Invariant, Violation } from './types.js';
import type { WorldView } from './view.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

const NAME = 'no-iova-to-unpinned-page';

/** What a device can observe: every translation it could use right now reaches a pinned frame. */
function pinnedOnly(view: WorldView): Violation[] {
  const w = view.w;
  const out: Violation[] = [];
  const report = (message: string) => out.push({ property: NAME, message });
  for (const { domain, leaves } of view.domainLeaves()) {
    for (const { iovaPage, t } of leaves) {
      const pins = w.pins.get(t.pfn) ?? 0;
      if (pins <= 0) report(`${domain.id} IOVA ${hex(addrOf(iovaPage))} maps frame ${hex(t.pfn)} whose pin count is ${pins}`);
    }
  }
  // an IOMMU walking KVM's stage-2 caches what it walked: each cached frame must still be pinned.
  for (const d of w.domains.values()) {
    for (const [page, t] of d.iotlb ?? []) {
      const pins = w.pins.get(t.pfn) ?? 0;
      if (pins <= 0) report(`${d.id} IOTLB IOVA ${hex(addrOf(page))} caches frame ${hex(t.pfn)} whose pin count is ${pins}`);
    }
  }
  for (const c of w.containers.values()) {
    if (!c.spapr) continue;
    for (const e of spaprEntries(w, c.spapr)) {
      if ((w.pins.get(e.pfn) ?? 0) <= 0) report(`${c.id} IOBA ${hex(addrOf(e.iobaPage))} maps frame ${hex(e.pfn)} whose pin count is ${w.pins.get(e.pfn) ?? 0}`);
    }
    for (const gid of c.groups) {
      for (const [page, t] of w.groups.get(gid)!.tceCache) {
        const pins = w.pins.get(t.pfn) ?? 0;
        if (pins <= 0) report(`group ${gid} has IOBA ${hex(addrOf(page))} cached to frame ${hex(t.pfn)} whose pin count is ${pins}`);
      }
    }
  }
  return out;
}

export const noIovaToUnpinnedPage: Invariant = {
  name: NAME,
  kind: 'invariant',
  reads: ['containers', 'domains', 'frames', 'groups', 'mms', 'pins', 'vms', 'zpci'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: 'every valid IOMMU translation points to a pinned frame that still backs the mapped page',
  device: pinnedOnly,
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
    // sPAPR: every hardware TCE and every TCE a group has cached must reach a pinned, preregistered frame
    // that still backs its page.
    for (const c of w.containers.values()) {
      if (!c.spapr) continue;
      const mm = w.mms.get(c.mm);
      for (const e of spaprEntries(w, c.spapr)) {
        const where = `${c.id} IOBA ${hex(addrOf(e.iobaPage))} maps frame ${hex(e.pfn)}`;
        if ((w.pins.get(e.pfn) ?? 0) <= 0) report(`${where} whose pin count is ${w.pins.get(e.pfn) ?? 0}`);
        const r = mm?.iommuMem.find((x) => x.pfns.includes(e.pfn));
        if (!r) report(`${where} outside every preregistered region`);
        else if (mm?.pages.get(r.vaddrPage + r.pfns.indexOf(e.pfn)) !== e.pfn) report(`${where} which no longer backs its page`);
      }
      for (const gid of c.groups) {
        for (const [page, t] of w.groups.get(gid)!.tceCache) {
          const pins = w.pins.get(t.pfn) ?? 0;
          if (pins <= 0) report(`group ${gid} has IOBA ${hex(addrOf(page))} cached to frame ${hex(t.pfn)} whose pin count is ${pins}`);
        }
      }
    }
    return out;
  },
};
