/**
 * A scenario: a design under check, a setup prefix, the choices offered in every state, the
 * properties to check, covers that must be hit, and the verdict it is expected to reach.
 */
import type { ModelEvent } from '../events/types.js';
import type { Outcome } from '../model/outcome.js';
import type { World } from '../model/world.js';
import type { WorldJournal } from '../kernel/in-place.js';
import type { Design } from '../ops/registry.js';
import type { WorldView } from '../../properties/view.js';

export type Params = Record<string, number>;

/**
 * What a move applied in place changed, as its journal tells (kernel/in-place.ts): a record map
 * or scalar (`changed`, or any of a constant list: `changedAny`, cheaper than asking each), and the frames whose bytes changed (`framesChangedFor`: any of those
 * read, or any frame allocated or freed).
 */
export type MoveChanges = Pick<WorldJournal, 'changed' | 'changedAny' | 'framesChangedFor'>;

export interface ParamSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly help: string;
}

/** A state the scenario is meant to reach; never reaching it means the check was vacuous. */
export interface Cover {
  readonly name: string;
  readonly description: string;
  /** Whether the state can be reached at all with these parameters under this design (a cover that cannot be is not required). */
  applies?(p: Params, design: Design): boolean;
  hit(view: WorldView, step: { event: ModelEvent; outcome: Outcome }): boolean;
}

export type Verdict = { verdict: 'pass' } | { verdict: 'violation'; property: string };

/** Applies one setup event to the world being built, failing loudly (a scenario bug) if refused. */
export type SetupApply = (e: ModelEvent, allowed?: readonly string[]) => Outcome;

export interface Scenario<Ctx = unknown> {
  readonly name: string;
  readonly description: string;
  /** The registered design it checks by default (a run's --variant replaces it). */
  readonly design: string;
  readonly params: Record<string, ParamSpec>;
  /** Builds the setup prefix through `apply`, reading the world as it goes; returns what `choices` needs. */
  setup(p: Params, apply: SetupApply, w: World): Ctx;
  /** The events offered in a state, in a fixed order. */
  choices(w: World, p: Params, ctx: Ctx): ModelEvent[];
  readonly properties: readonly string[];
  readonly covers: readonly Cover[];
  readonly expect: Verdict;
  /** Interchangeable sets: the canonical key of a state's orbit, when symmetry reduction is asked for. */
  canonical?(w: World, p: Params, ctx: Ctx): unknown;
  /**
   * Incremental orbit keys (optional, beside `canonical`): `canonicalBase` reads a state once,
   * before its moves are tried; `canonicalAfter` gives the orbit key of the state with one move
   * applied, from that reading and what the move changed (`changes`), reading again only what
   * changed. Both must agree with `canonical` (tested on random paths). The checker asks for an
   * orbit key on every transition: most moves change one entry of what the key reads.
   */
  canonicalBase?(w: World, p: Params, ctx: Ctx): unknown;
  canonicalAfter?(w: World, p: Params, ctx: Ctx, base: unknown, changes: MoveChanges): unknown;
  /** A scenario-level key that must be in one-to-one correspondence with full states (tested). */
  abstract?(w: World, p: Params, ctx: Ctx): string;
}

/** Fills defaults and checks bounds; returns an error message for bad parameters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resolveParams(s: Scenario<any>, given: Params): Params | string {
  const out: Params = {};
  for (const k of Object.keys(given)) if (!(k in s.params)) return `scenario ${s.name} has no parameter ${k} (it has ${Object.keys(s.params).join(', ') || 'none'})`;
  for (const [k, spec] of Object.entries(s.params)) {
    const v = given[k] ?? spec.default;
    if (!Number.isInteger(v) || v < spec.min || v > spec.max) return `parameter ${k}=${v} is outside ${spec.min}..${spec.max}`;
    out[k] = v;
  }
  return out;
}

/**
 * A setup event the design refused (the scenario's setup expects it to succeed): the run reports it
 * as its verdict, under this name, with the events up to the refused one as the trace.
 */
export const SETUP_REFUSED = 'scenario-setup';

export class SetupRefused extends Error {
  constructor(
    readonly scenario: string,
    /** The setup events up to and including the refused one. */
    readonly events: readonly ModelEvent[],
    readonly outcome: Outcome,
  ) {
    super(`scenario ${scenario}: setup event ${events.at(-1)!.type} gave ${outcome.code}`);
  }
}
