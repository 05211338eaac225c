/**
 * pin-balance: each frame's pin count equals the pins its holders hold (every pin matched by
 * exactly one unpin, kernel-facts §8). Holders: type1 vfio_dma ranges.
 */
import { hex } from '../src/util/hex.js';
import type { World } from '../src/model/world.js';
import type { Property, Violation } from './types.js';

/** Pins the model's holders claim, per frame. */
export function heldPins(w: World): Map<number, number> {
  const held = new Map<number, number>();
  for (const c of w.containers.values()) {
    for (const dma of c.iommu?.dmas ?? []) for (const pfn of dma.pfns) held.set(pfn, (held.get(pfn) ?? 0) + 1);
  }
  return held;
}

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
