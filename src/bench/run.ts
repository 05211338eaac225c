/**
 * `npm run bench`: replay throughput on a generated log of over one million map/unmap/DMA events,
 * and peak memory for a VM with 64 GiB of configured guest RAM of which a few MiB are touched.
 * A benchmark, not a test: it prints figures and never fails on them.
 */
import { IdScope, readLine } from '../log/read-log.js';
import { InputError } from '../errors.js';
import type { LogEntry } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { emptyWorld } from '../model/world.js';
import { checkProperties, PROPERTIES } from '../../properties/index.js';
import { benchLog } from './generate.js';
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

  let w = emptyWorld();
  t = performance.now();
  let refused = 0;
  for (const e of entries) if (applyEvent(w, e.event).code !== 'OK') refused++;
  const applyMs = performance.now() - t;
  if (refused !== 0) throw new Error(`bench log had ${refused} refused events`);

  w = emptyWorld();
  t = performance.now();
  let violations = 0;
  for (const e of entries) {
    applyEvent(w, e.event);
    violations += checkProperties(w).length;
  }
  const checkedMs = performance.now() - t;

  console.log(`parse + validate:            ${rate(entries.length, parseMs)} (${parseMs.toFixed(0)} ms)`);
  console.log(`reduce only:                 ${rate(entries.length, applyMs)} (${applyMs.toFixed(0)} ms)`);
  console.log(`parse + reduce:              ${rate(entries.length, parseMs + applyMs)}`);
  console.log(`reduce + all ${PROPERTIES.length} properties:   ${rate(entries.length, checkedMs)} (${checkedMs.toFixed(0)} ms, ${violations} violations)`);
  console.log(`vkm replay (parse + reduce + properties): ${rate(entries.length, parseMs + checkedMs)}`);
}

// memory first, so its peak RSS is not the throughput run's.
memoryBench();
throughput();
await checkBench();
