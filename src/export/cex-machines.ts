/**
 * A counterexample drawn on the machines its design changed: the counterexample's log is
 * replayed with machine steps recorded, and each machine the design provides guards for is drawn
 * as the design has it, with the (state, event) pairs the replay took marked. A reviewer sees
 * where the design's machine departs from the reference: for the "lent out to KVM" flag design,
 * USER_MAP accepted on a KVM-owned domain. Pure.
 */
import { compileMachine } from '../../machines/compile.js';
import type { MachineName } from '../../machines/index.js';
import { counterexampleLines, type RunRecord } from '../check/run.js';
import { readLog } from '../log/read-log.js';
import { replay } from '../log/replay.js';
import { designMachine, recordMachineSteps, type MachineStep } from '../ops/machines.js';
import { requireDesign } from '../ops/registry.js';
import { machineGraph, type Graph } from './graph.js';

export interface CexMachineGraph {
  readonly machine: MachineName;
  readonly graph: Graph;
  readonly steps: readonly MachineStep[];
}

/** The machines a run's design changed, with its first counterexample's steps on each (none without a violation). */
export function cexMachineGraphs(r: RunRecord): CexMachineGraph[] {
  const v = r.result.violations[0];
  if (!v || !r.design) return [];
  const changed = Object.keys(requireDesign(r.design).machines) as MachineName[];
  if (changed.length === 0) return [];
  const log = readLog(counterexampleLines(v.trace).join('\n'), 'counterexample.jsonl');
  if (!log.ok) return [];
  const { steps } = recordMachineSteps(() => replay(log.entries));
  return changed.map((machine) => {
    const mine = steps.filter((s) => s.machine === machine);
    const m = designMachine(r.design!, machine);
    const graph = machineGraph(m, compileMachine(m), { taken: new Set(mine.map((s) => `${s.from} ${s.event}`)) });
    return { machine, graph, steps: mine };
  });
}
