/**
 * Checker benchmarks: rpcit-shadow (3,3,2) with and without symmetry and (4,3,3) with symmetry,
 * each under a time limit so the benchmark always ends, beside SPIN and rumur on the same rules
 * when they are installed (anchors.ts), with the ratios; and xstate/graph's getShortestPaths
 * against a table-driven breadth-first search over the same lifecycle machine; and the (3,3,2)
 * run's floor (floor.ts): what its events alone would take on two cores.
 */
import type { AnyStateMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { MACHINES, TABLES } from '../../machines/index.js';
import { machineEvents } from '../../machines/compile.js';
import { explore } from '../check/explore.js';
import { exploreParallel } from '../check/parallel.js';
import { rpcitShadow } from '../check/scenarios/rpcit-shadow.js';
import { StateTable } from '../check/visited.js';
import { rumurSearch, spinSearch, type AnchorRun, type PreparedAnchor } from './anchors.js';
import { eventFloor } from './floor.js';

/** Distinct states of rpcit-shadow(3,3,2) by an independent model of the same rules, and vkm's transitions among them. */
const FULL_332 = 809_480;
const TRANSITIONS_332 = 23_881_032;

async function run(label: string, p: { G: number; I: number; L: number }, symmetry: boolean, limitS: number, workers: number, total?: number): Promise<VkmRun> {
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
  return { seconds: s, states: r.states, complete: r.status === 'pass' };
}

type VkmRun = { seconds: number; states: number; complete: boolean };

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The anchor and vkm's run in turn, `repeat` times (this machine's speed drifts by up to a half
 * over minutes: runs side by side in time are compared, not runs minutes apart), each pair's ratio of
 * vkm's time to the anchor's, and the median of the ratios of the pairs whose vkm search was
 * complete; the anchor's median time is returned for the floor's line.
 */
async function withAnchor(a: PreparedAnchor | string, vkm: () => Promise<VkmRun>, target: string, repeat: number): Promise<AnchorRun | undefined> {
  if (typeof a === 'string') {
    console.log(`  anchor skipped: ${a}`);
    for (let i = 0; i < repeat; i++) await vkm();
    return undefined;
  }
  const times: number[] = [];
  const ratios: number[] = [];
  let states = 0;
  try {
    for (let i = 0; i < repeat; i++) {
      const r = a.run();
      states = r.states;
      times.push(r.seconds);
      console.log(`  ${a.tool.padEnd(40)} states ${String(r.states).padStart(8)}  ${r.seconds.toFixed(2)} s`);
      const v = await vkm();
      // an exact search finds the same count; heuristic symmetry keeps more than one state per orbit.
      const same = v.complete && v.states === r.states;
      if (v.complete) ratios.push(v.seconds / r.seconds);
      console.log(`  vkm / ${a.tool}: ${(v.seconds / r.seconds).toFixed(2)}x (target ${target})${same ? ', same state count' : `; vkm ${v.complete ? 'found' : 'stopped at'} ${v.states} states, ${a.tool} ${r.states}`}`);
    }
  } finally {
    a.dispose();
  }
  // only pairs whose vkm run searched the whole space are compared.
  if (repeat > 1 && ratios.length > 0) {
    console.log(`  vkm / ${a.tool} over the ${ratios.length} of ${repeat} pairs where vkm's search was complete: median ${median(ratios).toFixed(2)}x, least ${Math.min(...ratios).toFixed(2)}x, most ${Math.max(...ratios).toFixed(2)}x (target ${target})`);
  }
  return { tool: a.tool, states, seconds: median(times) };
}

/** The floor under the (3,3,2) run (floor.ts), and where it puts that run beside SPIN's when SPIN ran. */
function floorLine(spin: AnchorRun | undefined): void {
  const f = eventFloor();
  const atFloor = (TRANSITIONS_332 * f.applyUs) / 1e6 / 2;
  console.log(
    `  floor: a choice applied in place and undone, nothing else: ${f.applyUs.toFixed(2)} us per move; the same ${f.states} states expanded whole: ${f.expandUs.toFixed(2)} us per move` +
      `\n  the (3,3,2) run's ${TRANSITIONS_332.toLocaleString('en-US')} transitions at the floor on two cores shared perfectly: ${atFloor.toFixed(1)} s` +
      (spin ? ` = ${(atFloor / spin.seconds).toFixed(1)}x SPIN's ${spin.seconds.toFixed(2)} s` : '') +
      `\n  the floor by event (moves per state, us per move): ${f.byType.map((t) => `${t.type} ${t.perState.toFixed(1)} x ${t.us.toFixed(2)}`).join(', ')}`,
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
  const limit = Number(process.env.VKM_BENCH_LIMIT_S ?? 300);
  const repeat = Math.max(1, Math.floor(Number(process.env.VKM_BENCH_REPEAT ?? 3)));
  console.log(`\nchecker (time limit ${limit} s per run; each run beside its anchor ${repeat} times; targets: (3,3,2) no reduction, 2 workers <= 6x SPIN's BFS; (4,3,3) symmetric <= rumur heuristic; <= 16 B/state)`);
  const p332 = { G: 3, I: 3, L: 2 };
  const p433 = { G: 4, I: 3, L: 3 };
  const spin = await withAnchor(spinSearch(p332.G, p332.I, p332.L), () => run('rpcit-shadow(3,3,2)', p332, false, limit, 2, FULL_332), '<= 6x', repeat);
  await run('rpcit-shadow(3,3,2) --symmetry', p332, true, limit, 2);
  await withAnchor(rumurSearch(p433.G, p433.I, p433.L, 'heuristic', 2), () => run('rpcit-shadow(4,3,3) --symmetry', p433, true, limit, 2), '<= 1x', repeat);
  // last: its sample of states would count in the peak memory of the runs after it.
  floorLine(spin);
  machineComparison();
}
