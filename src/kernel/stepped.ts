/**
 * Applying an event step by step: its step points are counted and named, what a device could
 * observe is checked at each of them, and another actor's event (a device DMA, a host migration,
 * another vCPU's write) may run at one of them before the event goes on. The actor's event runs
 * whole, with no step points of its own: one preemption. Pure apart from the world it applies to.
 */
import type { ModelEvent, StepMark } from '../events/types.js';
import type { Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import { withoutSteps, withStepHook, type StepKind } from '../ops/steps.js';
import { applyEvent } from './reduce.js';

export type { StepMark };

/** An event in a trace, with the step point it was interrupted at (or a property failed at). */
export type SteppedEvent = ModelEvent & { readonly step?: StepMark };

export interface StepViolation<V> {
  readonly at: number;
  readonly point: string;
  readonly violations: readonly V[];
}

export interface SteppedRun<V> {
  readonly outcome: Outcome;
  /** Every step point reached, in order. */
  readonly points: readonly { name: string; kind: StepKind }[];
  readonly actorOutcome?: Outcome;
  /** The first step point at which `observe` found something. */
  readonly violation?: StepViolation<V>;
}

export interface SteppedOptions<V> {
  /** Runs the actor's event at step point `at`. */
  readonly inject?: { readonly at: number; readonly actor: ModelEvent };
  /**
   * What a device could observe, checked at every step point (without `inject`) or right after the
   * actor's event (with it).
   */
  readonly observe?: (w: World) => readonly V[];
}

/** Applies `e` in place, step by step; the outcome and end state are those of `applyEvent`. */
export function applyStepped<V>(w: World, e: ModelEvent, opts: SteppedOptions<V> = {}): SteppedRun<V> {
  const points: { name: string; kind: StepKind }[] = [];
  let actorOutcome: Outcome | undefined;
  let violation: StepViolation<V> | undefined;
  const look = (at: number, point: string) => {
    if (violation || !opts.observe) return;
    const found = opts.observe(w);
    if (found.length > 0) violation = { at, point, violations: found };
  };
  const outcome = withStepHook(
    (name, kind) => {
      const at = points.length;
      points.push({ name, kind });
      if (opts.inject === undefined) look(at, name);
      else if (opts.inject.at === at) {
        const actor = opts.inject.actor;
        actorOutcome = withoutSteps(() => applyEvent(w, actor));
        look(at, name);
      }
    },
    () => applyEvent(w, e),
  );
  return { outcome, points, actorOutcome, violation };
}

/** The event types that act concurrently with a kernel op: the device, the host mm, another vCPU. */
export const ACTOR_TYPES: ReadonlySet<string> = new Set(['device.dma.read', 'device.dma.write', 'host.mm.migrate', 'guest.mem.write']);

/**
 * Whether an event is a kernel op that an actor may interrupt: everything but what the device and
 * the vCPUs do themselves (a DMA or a guest access is one hardware action). A host migration is
 * both: an op with steps of its own when the scenario chooses it, an actor inside another op.
 */
export function interruptible(e: ModelEvent): boolean {
  return !e.type.startsWith('device.') && !e.type.startsWith('guest.mem.');
}

/** Where inside an event a step violation was seen, as messages say it (the explorer and replay alike). */
export function stepWhere(eventType: string, at: number, point: string, actorType?: string): string {
  return `inside ${eventType}, at step point ${at}: ${point}${actorType ? `, after ${actorType}` : ''}`;
}
