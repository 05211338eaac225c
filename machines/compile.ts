/**
 * Compiles a flat lifecycle machine into a lookup table at load time. XState's own transition
 * call costs tens of microseconds, far too much for the reducer's hot path; the table gives the
 * same answer in one map lookup, and test/machines checks it against `transition()` on every
 * (state, event) pair.
 */
import { transition, type AnyStateMachine } from 'xstate';

/** The machine's answer for one (state, event): the next state, or a refusal code. */
export interface Step {
  readonly target: string;
  /** Set when the event is refused in this state; then target equals the source. */
  readonly code?: string;
  /** Named actions other than `refuse`, in order. */
  readonly actions: readonly string[];
}

export interface MachineTable {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly string[];
  readonly events: readonly string[];
  /** Looks up a step; throws for an event the machine does not know (a model bug, not input). */
  step(state: string, event: string): Step;
}

/** Events a flat machine handles anywhere, from its state and root `on` keys (wildcard excluded). */
export function machineEvents(machine: AnyStateMachine): string[] {
  const seen = new Set<string>();
  const collect = (on: unknown) => {
    for (const k of Object.keys((on as Record<string, unknown>) ?? {})) if (k !== '*') seen.add(k);
  };
  collect(machine.root.config.on);
  for (const node of Object.values(machine.root.states)) collect(node.config.on);
  return [...seen];
}

/** Runs XState's pure `transition` for one pair; the reference the table is built and tested from. */
export function liveStep(machine: AnyStateMachine, state: string, event: string): Step {
  const snapshot = machine.resolveState({ value: state, context: {} });
  const [next, actions] = transition(machine, snapshot, { type: event });
  let code: string | undefined;
  const names: string[] = [];
  for (const a of actions as readonly { type: string; params?: unknown }[]) {
    if (a.type === 'refuse') code = (a.params as { code: string }).code;
    else names.push(a.type);
  }
  return { target: String(next.value), code, actions: names };
}

export function compileMachine(machine: AnyStateMachine): MachineTable {
  const states = Object.keys(machine.root.states);
  const events = machineEvents(machine);
  const table = new Map<string, Map<string, Step>>();
  for (const s of states) table.set(s, new Map(events.map((e) => [e, liveStep(machine, s, e)])));
  const initial = String(machine.resolveState({ value: machine.root.config.initial as string, context: {} }).value);
  return {
    id: machine.id,
    initial,
    states,
    events,
    step(state, event) {
      const st = table.get(state)?.get(event);
      if (st === undefined) throw new Error(`machine ${machine.id} has no step for state "${state}" event "${event}"`);
      return st;
    },
  };
}
