/**
 * Differential exploration: the shortest event sequence of a scenario after which two designs
 * disagree, on an event's outcome or on the state it leaves. Where a property check says whether a
 * design is wrong, this says what a change changes: a reviewer sees the first log on which their
 * variant behaves differently from the design it derives from, even when no property objects.
 * Breadth-first over the first design's choices; both worlds take the same event each step. Pure.
 */
import type { ModelEvent } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { digest } from '../model/digest.js';
import type { Outcome } from '../model/outcome.js';
import { cloneWorld, emptyWorld, type World } from '../model/world.js';
import { bytesToHex, hex } from '../util/hex.js';
import { DesignError } from '../errors.js';
import { requireDesign } from '../ops/registry.js';
import { buildSetup } from './explore.js';
import { resolveParams, type Params } from './scenario.js';
import { scenarioNamed, scenarioNames } from './scenarios/index.js';

export interface Difference {
  /** The setup and the choices up to and including the event where the designs part. */
  readonly trace: ModelEvent[];
  readonly setupLength: number;
  readonly outcomes: readonly [Outcome, Outcome];
  /** What differs: the outcome, or the state the event leaves. */
  readonly reason: string;
}

export interface DiffResult {
  readonly difference?: Difference;
  /** Distinct states of the first design visited. */
  readonly states: number;
  /** Whether every state within the bounds was visited (no difference means none exists there). */
  readonly complete: boolean;
}

const outcomeText = (o: Outcome) =>
  o.code + (o.value !== undefined ? ` value=${hex(o.value)}` : '') + (o.data !== undefined ? ` data=${bytesToHex(o.data)}` : '');

/** The state with the design's name left out: two designs are compared on what they did. */
const stateOf = (w: World) => digest({ ...w, design: '' });

/** Applies one event to both worlds; describes how they differ afterwards, if they do. */
function step(a: World, b: World, e: ModelEvent): { outcomes: [Outcome, Outcome]; reason?: string; key: string } {
  const oa = applyEvent(a, e);
  const ob = applyEvent(b, e);
  const key = stateOf(a);
  if (outcomeText(oa) !== outcomeText(ob)) return { outcomes: [oa, ob], reason: `outcome ${outcomeText(oa)} against ${outcomeText(ob)}`, key };
  if (key !== stateOf(b)) return { outcomes: [oa, ob], reason: 'same outcome, different state afterwards', key };
  return { outcomes: [oa, ob], key };
}

/** Two designs to compare on one scenario; `base` defaults to the scenario's own design. */
export interface DiffSpec {
  readonly scenario: string;
  readonly params?: Params;
  readonly base?: string;
  readonly variant: string;
}

/**
 * The first difference between designs `base` and `variant` on a scenario, breadth-first, so the
 * trace is a shortest one. The setup is built under `base` and replayed under `variant` event by
 * event. Throws a DesignError for an unknown scenario, design or parameter.
 */
export function diffDesigns(spec: DiffSpec, opts: { maxStates?: number; maxDepth?: number } = {}): DiffResult {
  const s = scenarioNamed(spec.scenario);
  if (!s) throw new DesignError(`unknown scenario "${spec.scenario}" (scenarios: ${scenarioNames().join(', ')})`);
  const p = resolveParams(s, spec.params ?? {});
  if (typeof p === 'string') throw new DesignError(p);
  const a = requireDesign(spec.base ?? s.design).name;
  const b = requireDesign(spec.variant).name;
  const { events: setup, ctx } = buildSetup(s, p, a);
  const wa = emptyWorld();
  const wb = emptyWorld();
  const asB = (e: ModelEvent): ModelEvent => (e.type === 'host.boot' ? { ...e, design: b, module: undefined } : e);
  for (let i = 0; i < setup.length; i++) {
    const oa = applyEvent(wa, setup[i]);
    const ob = applyEvent(wb, asB(setup[i]));
    const r = outcomeText(oa) !== outcomeText(ob) ? `outcome ${outcomeText(oa)} against ${outcomeText(ob)}` : stateOf(wa) !== stateOf(wb) ? 'same outcome, different state afterwards' : undefined;
    if (r) return { difference: { trace: setup.slice(0, i + 1), setupLength: i + 1, outcomes: [oa, ob], reason: r }, states: 0, complete: false };
  }
  const maxStates = opts.maxStates ?? 100_000;
  const maxDepth = opts.maxDepth ?? Infinity;
  const seen = new Set<string>([stateOf(wa)]);
  let frontier: { a: World; b: World; path: ModelEvent[] }[] = [{ a: wa, b: wb, path: [] }];
  let complete = true;
  for (let depth = 0; frontier.length > 0; depth++) {
    if (depth >= maxDepth) {
      complete = false;
      break;
    }
    const next: typeof frontier = [];
    for (const x of frontier) {
      for (const e of s.choices(x.a, p, ctx)) {
        const na = cloneWorld(x.a);
        const nb = cloneWorld(x.b);
        const r = step(na, nb, e);
        const path = [...x.path, e];
        if (r.reason) return { difference: { trace: [...setup, ...path], setupLength: setup.length, outcomes: r.outcomes, reason: r.reason }, states: seen.size, complete: false };
        if (seen.has(r.key)) continue;
        if (seen.size >= maxStates) {
          complete = false;
          continue;
        }
        seen.add(r.key);
        next.push({ a: na, b: nb, path });
      }
    }
    frontier = next;
  }
  return { states: seen.size, complete };
}
