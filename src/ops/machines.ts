/**
 * The lifecycle machines as a design has them. A design may replace a machine's guards and
 * actions (XState's `provide`): the guards are the design choices a machine states, such as
 * whether a LIOBN binds a container or its groups, or whether a KVM-owned domain refuses
 * userspace maps; an action is work the design adds where the machine names it (the reference's
 * own work there is its ops). The reducer takes steps through `stepMachine` on the compiled table
 * of the design in force, and `vkm graph` and `vkm paths` draw the machine of the design named by
 * --variant.
 */
import type { AnyStateMachine } from 'xstate';
import { compileMachine, type MachineTable } from '../../machines/compile.js';
import { MACHINES, TABLES, type MachineName } from '../../machines/index.js';
import type { Step } from '../../machines/compile.js';
import type { World } from '../model/world.js';
import { designOf, requireDesign, type Design, type MachineAction } from './registry.js';

const PROVIDED = new WeakMap<Design, Map<MachineName, { machine: AnyStateMachine; table: MachineTable }>>();

/** A design's version of a machine and its compiled table: the reference one unless it provides guards. */
function provided(d: Design, name: MachineName): { machine: AnyStateMachine; table: MachineTable } {
  const guards = d.machines[name]?.guards;
  if (!guards) return { machine: MACHINES[name], table: TABLES[name] };
  let byName = PROVIDED.get(d);
  if (!byName) PROVIDED.set(d, (byName = new Map()));
  let m = byName.get(name);
  if (!m) {
    const machine = (MACHINES[name] as AnyStateMachine).provide({ guards: guards as never });
    byName.set(name, (m = { machine, table: compileMachine(machine) }));
  }
  return m;
}

/** The machine `name` as the design `design` (a registered name) has it. */
export function designMachine(design: string, name: MachineName): AnyStateMachine {
  return provided(requireDesign(design), name).machine;
}

/** One step a machine took while steps were recorded: the object's state before, the event, and what the table said. */
export interface MachineStep {
  readonly machine: MachineName;
  readonly from: string;
  readonly event: string;
  readonly to: string;
  readonly code?: string;
}

let recording: MachineStep[] | undefined;
// one design per run in practice: the last design's tables stay at hand (pins look here per call).
let lastName: string | undefined;
let lastTables: Partial<Record<MachineName, MachineTable>> = {};
let lastActions: Partial<Record<MachineName, Readonly<Record<string, MachineAction>> | null>> = {};

/** The compiled table of machine `name` in the design a world runs. */
export function machineOf(w: { readonly design: string }, name: MachineName): MachineTable {
  const table = machineProbe(w, name);
  return recording ? recorder(table, name, recording) : table;
}

/** The same table for a look ahead: what a step would do, asked without taking it (never recorded). */
export function machineProbe(w: { readonly design: string }, name: MachineName): MachineTable {
  if (w.design !== lastName) {
    lastName = w.design;
    lastTables = {};
    lastActions = {};
  }
  return (lastTables[name] ??= provided(designOf(w), name).table);
}

/**
 * Takes one step of an object's machine in the design a world runs: the table's answer, and, when
 * the transition is taken, every action the design provides among those it names, in order.
 * The caller stores `target` as the object's state (or returns `code` as the refusal).
 */
export function stepMachine(w: World, name: MachineName, state: string, event: string, subject: string): Step {
  const step = machineOf(w, name).step(state, event);
  if (step.code || step.actions.length === 0) return step;
  let actions = lastActions[name];
  if (actions === undefined) actions = lastActions[name] = designOf(w).machines[name]?.actions ?? null;
  if (actions) for (const a of step.actions) actions[a]?.(w, { subject, from: state, event, to: step.target });
  return step;
}

function recorder(table: MachineTable, machine: MachineName, into: MachineStep[]): MachineTable {
  return {
    ...table,
    step(state, event) {
      const st = table.step(state, event);
      into.push({ machine, from: state, event, to: st.target, code: st.code });
      return st;
    },
  };
}

/**
 * Runs `fn` (a replay) and returns every step the machines took in it, in order: how the report
 * draws a counterexample on a machine. Not reentrant; the explorer never records.
 */
export function recordMachineSteps<T>(fn: () => T): { result: T; steps: MachineStep[] } {
  const steps: MachineStep[] = [];
  recording = steps;
  try {
    return { result: fn(), steps };
  } finally {
    recording = undefined;
  }
}

/**
 * Where the recording stands, to forget what follows with `forgetMachineSteps`: an event applied
 * to shared maps that had to be applied again (kernel/fork.ts) took its steps once, not twice.
 */
export function machineStepsMark(): number {
  return recording?.length ?? 0;
}

export function forgetMachineSteps(mark: number): void {
  if (recording) recording.length = mark;
}
