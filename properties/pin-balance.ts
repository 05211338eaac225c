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
  description: 'every frame pin count equals the number of pins held by mappings',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const held = heldPins(w);
    const frames = new Set([...held.keys(), ...w.pins.keys()]);
    for (const pfn of [...frames].sort((a, b) => a - b)) {
      const count = w.pins.get(pfn) ?? 0;
      const h = held.get(pfn) ?? 0;
      if (count !== h) out.push({ property: this.name, message: `frame ${hex(pfn)} has pin count ${count} but holders hold ${h}` });
    }
    return out;
  },
};
