/**
 * Checker benchmarks: rpcit-shadow (3,3,2) with and without symmetry and (4,3,3) with symmetry,
 * each under a time limit so the benchmark always ends; and xstate/graph's getShortestPaths against
 * a table-driven breadth-first search over the same lifecycle machine.
 */
import type { AnyStateMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { MACHINES, TABLES } from '../../machines/index.js';
import { machineEvents } from '../../machines/compile.js';
import { explore } from '../check/explore.js';
import { exploreParallel } from '../check/parallel.js';
import { rpcitShadow } from '../check/scenarios/rpcit-shadow.js';
import { StateTable } from '../check/visited.js';

/** Distinct states of rpcit-shadow(3,3,2) by an independent model of the same rules. */
const FULL_332 = 809_480;

async function run(label: string, p: { G: number; I: number; L: number }, symmetry: boolean, limitS: number, workers: number, total?: number) {
  const t0 = performance.now();
  const opts = { symmetry, timeLimitMs: limitS * 1000, now: () => performance.now() };
  const r = workers > 1 ? await exploreParallel(rpcitShadow, p, workers, opts) : explore(rpcitShadow, p, opts);
  const s = (performance.now() - t0) / 1000;
  const rate = r.states / s;
  const rss = process.resourceUsage().maxRSS / 1024;
  const done = r.status === 'pass' ? 'complete' : `INCOMPLETE (${r.incompleteReason})`;
  console.log(
    `${label.padEnd(34)} ${String(workers).padStart(2)}w ${done.padEnd(24)} states ${String(r.states).padStart(8)}  transitions ${String(r.transitions).padStart(9)}  ` +
      `${Math.round(rate).toLocaleString('en-US').padStart(7)} states/s  ${r.bytesPerState.toFixed(1)} B/state  ${s.toFixed(1)} s  peak RSS ${rss.toFixed(0)} MiB` +
      (total && r.status !== 'pass' ? `  (projected for all ${total.toLocaleString('en-US')}: ${Math.round(total / rate).toLocaleString('en-US')} s)` : ''),
  );
}

/** Breadth-first search over a compiled machine table, keyed like the checker's state table. */
function tableBfs(name: keyof typeof TABLES): number {
  const t = TABLES[name];
  const ids = new Map(t.states.map((s, i) => [s, i]));
  const table = new StateTable();
  const order = [t.initial];
  table.add([ids.get(t.initial)!, 0], -1, 0, 0);
  for (let k = 0; k < order.length; k++) {
    for (let e = 0; e < t.events.length; e++) {
      const next = t.step(order[k], t.events[e]).target;
      if (table.add([ids.get(next)!, 0], k, e, 0) >= 0) order.push(next);
    }
  }
  return table.size;
}

function machineComparison(): void {
  const name = 'vfio-group';
  const machine = MACHINES[name] as AnyStateMachine;
  const events = machineEvents(machine).map((type) => ({ type }));
  const reps = 200;
  let t = performance.now();
  let xs = 0;
  for (let i = 0; i < reps; i++) xs = getShortestPaths(machine, { events }).length;
  const xstateMs = (performance.now() - t) / reps;
  t = performance.now();
  let ours = 0;
  for (let i = 0; i < reps; i++) ours = tableBfs(name);
  const oursMs = (performance.now() - t) / reps;
  console.log(`lifecycle machine ${name}: xstate/graph getShortestPaths ${xstateMs.toFixed(3)} ms (${xs} states), table BFS ${oursMs.toFixed(4)} ms (${ours} states): ratio ${(xstateMs / oursMs).toFixed(0)}x`);
}

export async function checkBench(): Promise<void> {
  const limit = Number(process.env.VKM_BENCH_LIMIT_S ?? 60);
  console.log(`\nchecker (time limit ${limit} s per run; targets: (3,3,2) <= 10 s, (3,3,2) symmetric <= 1 s, (4,3,3) symmetric <= 6 s, <= 32 B/state)`);
  await run('rpcit-shadow(3,3,2)', { G: 3, I: 3, L: 2 }, false, limit, 2, FULL_332);
  await run('rpcit-shadow(3,3,2) --symmetry', { G: 3, I: 3, L: 2 }, true, limit, 2);
  await run('rpcit-shadow(4,3,3) --symmetry', { G: 4, I: 3, L: 3 }, true, limit, 2);
  machineComparison();
}
