/**
 * tce-window-bounds (sPAPR): windows sit at their slots' bus addresses (0 and 1 << 59) without
 * overlapping, and no TCE lies beyond its table: neither in a container's hardware table nor in
 * a KVM TCE table.
 */
import { hex } from '../src/util/hex.js';
import type { Invariant, Violation } from './types.js';

const SLOT_START = [0n, 1n << 59n];

export const tceWindowBounds: Invariant = {
  name: 'tce-window-bounds',
  kind: 'invariant',
  reads: ['containers', 'tceTables'],
  description: 'TCE windows at their slots, and no TCE outside its window',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const report = (message: string) => out.push({ property: this.name, message });
    for (const c of w.containers.values()) {
      c.spapr?.windows.forEach((win, slot) => {
        if (!win) return;
        if (win.start !== SLOT_START[slot]) report(`${c.id} window ${slot} starts at ${hex(win.start)}, not ${hex(SLOT_START[slot])}`);
        for (const frameIdx of win.frames.keys()) {
          if (BigInt(frameIdx) * 512n >= win.entries) report(`${c.id} window ${slot} has table storage past its ${win.entries} entries`);
        }
      });
    }
    for (const t of w.tceTables.values()) {
      for (const page of t.pages.keys()) if (BigInt(page) * 512n >= t.size) report(`TCE table ${t.id} (LIOBN ${hex(t.liobn)}) has storage past its ${t.size} entries`);
    }
    return out;
  },
};
