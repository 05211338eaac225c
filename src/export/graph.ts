/**
 * The graph model every export renders: nodes and labelled edges. Built from a lifecycle machine
 * (its states, events and refusals, via the compiled table that mirrors the XState machine) or from
 * a scenario's reachable state graph. Pure.
 */
import type { AnyStateMachine } from 'xstate';
import { machineEvents, type MachineTable } from '../../machines/compile.js';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly initial?: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The event name (machine) or the event with its parameters (reachable graph). */
  readonly label: string;
  /** Set when the edge is a refusal (the state does not change): the code returned. */
  readonly refused?: string;
  /** Named actions the transition runs. */
  readonly actions?: readonly string[];
  /** Set on the transitions a counterexample took (drawn bold). */
  readonly taken?: boolean;
}

export interface Graph {
  readonly name: string;
  readonly kind: 'machine' | 'reachable';
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/**
 * A machine's graph from its definition; refusals are included only when asked for, and the
 * (state, event) pairs in `taken` are marked (a refusal among them is drawn even without `refusals`).
 */
export function machineGraph(machine: AnyStateMachine, table: MachineTable, opts: { refusals?: boolean; taken?: ReadonlySet<string> } = {}): Graph {
  const events = machineEvents(machine);
  const nodes = table.states.map((s) => ({ id: s, label: s, initial: s === table.initial }));
  const edges: GraphEdge[] = [];
  for (const s of table.states) {
    for (const e of events) {
      const st = table.step(s, e);
      const taken = opts.taken?.has(`${s} ${e}`) ? true : undefined;
      if (st.code) {
        if (opts.refusals || taken) edges.push({ from: s, to: s, label: e, refused: st.code, taken });
      } else edges.push({ from: s, to: st.target, label: e, actions: st.actions.length ? st.actions : undefined, taken });
    }
  }
  return { name: machine.id, kind: 'machine', nodes, edges };
}
