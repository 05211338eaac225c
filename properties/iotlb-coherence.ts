/**
 * iotlb-coherence: no translation of process memory that a CPU or device can still use points to
 * a frame that no longer backs its page. Checked for KVM's stage-2 leaves (device-visible when an
 * IOMMU shares the table), a shared domain's IOTLB, and SVA devices' cached translations: each
 * must have been invalidated before its page moved. Pins are not required here (SVA has none).
 */
import { addrOf } from '../src/memory/constants.js';
import { hex } from '../src/util/hex.js';
import { gpaToHvaPage } from '../src/kvm/memslots.js';
import { s2Leaves } from '../src/kvm/stage2/table.js';
import type { Invariant, Violation } from './types.js';
import { TABLE_OWNERS } from '../src/memory/owners.js';

export const iotlbCoherence: Invariant = {
  name: 'iotlb-coherence',
  kind: 'invariant',
  reads: ['devices', 'domains', 'frames', 'mms', 'vms'],
  // the host's tables only (IOMMU and KVM pages): a store to process memory leaves it alone.
  frameOwners: TABLE_OWNERS,
  description: 'every stage-2 leaf, shared IOTLB entry and SVA cached translation points to the current frame of its page',
  // everything it states is what a device would use at once.
  device(view) {
    return this.check(view);
  },
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const stale = (what: string, mmId: string, vpage: number | undefined, pfn: number) => {
      const backing = vpage === undefined ? undefined : w.mms.get(mmId)?.pages.get(vpage);
      if (backing !== pfn) {
        const now = vpage === undefined ? 'nothing (no memslot holds it any more)' : backing === undefined ? 'no frame' : `frame ${hex(backing)}`;
        out.push({ property: this.name, message: `${what} points to frame ${hex(pfn)} but the page is backed by ${now}` });
      }
    };
    for (const vm of w.vms.values()) {
      for (const l of s2Leaves(w, vm)) stale(`${vm.id} stage-2 GPA ${hex(addrOf(l.iovaPage))}`, vm.mm, gpaToHvaPage(vm, l.iovaPage), l.t.pfn);
    }
    for (const d of w.domains.values()) {
      if (!d.iotlb) continue;
      const vm = w.vms.get(d.vm!)!;
      for (const [p, t] of d.iotlb) stale(`${d.id} IOTLB IOVA ${hex(addrOf(p))}`, vm.mm, gpaToHvaPage(vm, p), t.pfn);
    }
    for (const dev of w.devices.values()) {
      if (!dev.sva) continue;
      for (const [p, t] of dev.sva.atc) stale(`${dev.id} SVA ATC VA ${hex(addrOf(p))}`, dev.sva.mm, p, t.pfn);
    }
    return out;
  },
};
