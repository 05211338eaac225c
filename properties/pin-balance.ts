/**
 * pin-balance: each frame's pin count equals the pins its holders hold (every pin matched by
 * exactly one unpin, kernel-facts §8). Holders: type1 vfio_dma ranges and KVM's pins.
 */
import { hex } from '../src/util/hex.js';
import { heldPins } from './holders.js';
import type { Property, Violation } from './types.js';

export const pinBalance: Property = {
  name: 'pin-balance',
  kind: 'invariant',
  reads: ['containers', 'mms', 'pins', 'tceTables', 'vms', 'zpci'],
  description: 'every frame pin count equals the number of pins held by mappings',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const held = heldPins(w);
    // both directions, without building and sorting the union of every pinned frame: only the
    // frames that disagree are sorted, so the report reads in frame order.
    const bad: number[] = [];
    for (const [pfn, h] of held) if ((w.pins.get(pfn) ?? 0) !== h) bad.push(pfn);
    for (const [pfn, count] of w.pins) if (!held.has(pfn) && count !== 0) bad.push(pfn);
    for (const pfn of bad.sort((a, b) => a - b)) {
      out.push({ property: this.name, message: `frame ${hex(pfn)} has pin count ${w.pins.get(pfn) ?? 0} but holders hold ${held.get(pfn) ?? 0}` });
    }
    return out;
  },
};
