/**
 * Test paths from a lifecycle machine, for driving a real implementation: xstate/graph's shortest
 * path to every state, and a suite covering every transition the machine allows (each refusal
 * included, since refusals are part of the interface). Each path is a list of event types with a
 * description. Pure.
 */
import type { AnyStateMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { machineEvents, type MachineTable } from './compile.js';

export interface TestPath {
  readonly kind: 'state' | 'transition';
  /** For a state path: the state reached; for a transition: "source --EVENT--> target" or a refusal. */
  readonly target: string;
  readonly events: string[];
  readonly description: string;
}

export function machinePaths(machine: AnyStateMachine, table: MachineTable): TestPath[] {
  const events = machineEvents(machine).map((type) => ({ type }));
  const shortest = new Map<string, string[]>();
  for (const p of getShortestPaths(machine, { events })) {
    shortest.set(String(p.state.value), p.steps.slice(1).map((s) => s.event.type));
  }
  const out: TestPath[] = [];
  for (const [state, path] of [...shortest].sort((a, b) => a[1].length - b[1].length || a[0].localeCompare(b[0]))) {
    out.push({ kind: 'state', target: state, events: path, description: `Reaches "${state}": ${['init', ...path].join(' → ')}` });
  }
  for (const state of table.states) {
    const prefix = shortest.get(state);
    if (!prefix) continue;
    for (const event of table.events) {
      const step = table.step(state, event);
      const target = step.code ? `${state} (refused ${step.code})` : `${state} --${event}--> ${step.target}`;
      out.push({
        kind: 'transition',
        target,
        events: [...prefix, event],
        description: step.code ? `In "${state}", ${event} is refused with ${step.code}` : `From "${state}", ${event} leads to "${step.target}"`,
      });
    }
  }
  return out;
}
