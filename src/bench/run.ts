/**
 * `npm run bench`: replay throughput on a generated log of over one million map/unmap/DMA events,
 * and peak memory for a VM with 64 GiB of configured guest RAM of which a few MiB are touched.
 * A benchmark, not a test: it prints figures and never fails on them.
 */
import { IdScope, readLine } from '../log/read-log.js';
import { InputError } from '../errors.js';
import type { LogEntry } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { replay } from '../log/replay.js';
import { emptyWorld } from '../model/world.js';
import { PROPERTIES } from '../../properties/index.js';
import { benchLog, mappedLog } from './generate.js';
import { memoryBench } from './memory.js';
import { checkBench } from './check.js';

function parseAll(lines: string[]): LogEntry[] {
  const ids = new IdScope();
  const out: LogEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const r = readLine(lines[i], 'bench', i + 1, ids);
    if (r instanceof InputError) throw r;
    if (r) out.push(r);
  }
  return out;
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;
}

function throughput(): void {
  const cycles = 262_144;
  const lines = benchLog(cycles);
  console.log(`generated log: ${lines.length.toLocaleString('en-US')} events (${cycles} cycles of map, DMA write, DMA read, unmap; 64-slot window)`);

  let t = performance.now();
  const entries = parseAll(lines);
  const parseMs = performance.now() - t;

  const w = emptyWorld();
  t = performance.now();
  let refused = 0;
  for (const e of entries) if (applyEvent(w, e.event).code !== 'OK') refused++;
  const applyMs = performance.now() - t;
  if (refused !== 0) throw new Error(`bench log had ${refused} refused events`);

  t = performance.now();
  const all = replay(entries, { checkAll: true });
  const allMs = performance.now() - t;
  t = performance.now();
  const changed = replay(entries);
  const checkedMs = performance.now() - t;
  if (all.violated || changed.violated) throw new Error('bench log violated a property');

  console.log(`parse + validate:            ${rate(entries.length, parseMs)} (${parseMs.toFixed(0)} ms)`);
  console.log(`reduce only:                 ${rate(entries.length, applyMs)} (${applyMs.toFixed(0)} ms)`);
  console.log(`parse + reduce:              ${rate(entries.length, parseMs + applyMs)}`);
  console.log(`replay --check-all (all ${PROPERTIES.length} properties after every event): ${rate(entries.length, allMs)} (${allMs.toFixed(0)} ms)`);
  console.log(`replay (properties that read what an event changed): ${rate(entries.length, checkedMs)} (${checkedMs.toFixed(0)} ms)`);
  console.log(`vkm replay (parse + replay):  ${rate(entries.length, parseMs + checkedMs)}`);
}

/** Replay's cost per event with 256 MiB mapped, by what the events do; the setup's own time subtracted. */
function mappedThroughput(): void {
  // a MAP_DMA or UNMAP_DMA changes the mappings every walking property reads: far fewer of them.
  const counts = { 'dma-read': 2000, 'dma-write': 2000, 'map-unmap': 200 } as const;
  for (const work of ['dma-read', 'dma-write', 'map-unmap'] as const) {
    const n = counts[work];
    const { lines, setup } = mappedLog(256, work, n);
    const entries = parseAll(lines);
    // per event after the setup (replayed first, its world carried on); the full check walks all
    // 65,536 mappings after every event, so a tenth of the events suffice for it.
    const perEvent = (checkAll: boolean, count: number) => {
      const { world } = replay(entries.slice(0, setup), { checkAll });
      const t = performance.now();
      const r = replay(entries.slice(setup, setup + count), { checkAll, world });
      const ms = performance.now() - t;
      if (r.violated || r.steps.some((s) => s.outcome.code !== 'OK')) throw new Error(`mapped bench (${work}) did not replay cleanly`);
      return `${((ms * 1000) / count).toFixed(1)} µs/event`;
    };
    const changed = perEvent(false, n);
    const all = perEvent(true, n / 10);
    console.log(`256 MiB mapped, ${work.padEnd(9)}: replay ${changed}; --check-all ${all}`);
  }
}

// memory first, so its peak RSS is not the throughput run's.
// `npm run bench -- replay` (or memory, check) runs one part; all of them otherwise.
const parts = process.argv.slice(2);
const wanted = (part: string) => parts.length === 0 || parts.includes(part);
if (wanted('memory')) memoryBench();
if (wanted('replay')) {
  throughput();
  mappedThroughput();
}
if (wanted('check')) await checkBench();
