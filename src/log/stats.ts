/**
 * Cost counters per phase of a log, and the comparison table `vkm replay --stats` prints for
 * several logs: the counters each design was argued over (VM exits, ioctls, pins, unpins, IOTLB
 * invalidations, page requests). Pure.
 */
import type { Stats } from '../model/world.js';

/** The counters a cost comparison shows, in order, with their column titles. */
export const COST_COLUMNS: readonly (readonly [keyof Stats, string])[] = [
  ['events', 'events'],
  ['vmExits', 'exits'],
  ['ioctls', 'ioctls'],
  ['pins', 'pins'],
  ['unpins', 'unpins'],
  ['iotlbFlushes', 'iotlb-inv'],
  ['pageRequests', 'page-req'],
  ['dmaFaults', 'dma-faults'],
];

export interface PhaseStats {
  readonly name: string;
  readonly stats: Stats;
}

/** b − a, counter by counter. */
export function statsDelta(a: Stats, b: Stats): Stats {
  const out = { ...b };
  for (const k of Object.keys(out) as (keyof Stats)[]) out[k] = b[k] - a[k];
  return out;
}

/** Counters divided by the phase's events, rounded to 2 places (what one event costs on average). */
export function perEvent(s: Stats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k] of COST_COLUMNS) if (k !== 'events') out[k] = s.events === 0 ? 0 : Math.round((s[k] / s.events) * 100) / 100;
  return out;
}

/** Text table: one row per (label, stats). */
export function costTable(rows: readonly { label: string; stats: Stats }[]): string[] {
  const width = Math.max(5, ...rows.map((r) => r.label.length));
  const head = ['log'.padEnd(width), ...COST_COLUMNS.map(([, t]) => t.padStart(10))].join(' ');
  return [head, ...rows.map((r) => [r.label.padEnd(width), ...COST_COLUMNS.map(([k]) => String(r.stats[k]).padStart(10))].join(' '))];
}
