/**
 * The floor under the reference run's time: what applying each choice to a state in place and
 * undoing it costs alone (no key, no property, no visited set, no rebuild), over states of
 * rpcit-shadow(3,3,2) at the depths most of its states are, beside the whole expansion of the same states (keys,
 * properties, covers; every successor taken as known, as 93% are in the run). The run's
 * transitions at the floor, shared perfectly between two cores, bound from below what any change
 * outside the events and their journal can reach: the ratio to SPIN is read against it.
 */
import { applyInPlace, WorldJournal } from '../kernel/in-place.js';
import { sealWorld } from '../kernel/seal.js';
import { cloneWorld, type World } from '../model/world.js';
import type { ModelEvent } from '../events/types.js';
import { propertyNamed, type Property } from '../../properties/index.js';
import { buildSetup } from '../check/explore.js';
import { expandState, type Expander } from '../check/expand.js';
import { fingerprint } from '../check/fingerprint.js';
import { applyMove } from '../check/moves.js';
import type { Params } from '../check/scenario.js';
import { rpcitShadow } from '../check/scenarios/rpcit-shadow.js';

export interface Floor {
  /** Microseconds per move: the choice applied in place and undone, nothing else. */
  readonly applyUs: number;
  /** Microseconds per move: the same states expanded as the run expands them. */
  readonly expandUs: number;
  /** States timed, and their moves. */
  readonly states: number;
  readonly moves: number;
  /** Per event type: its moves per state and microseconds per move, applied and undone alone. */
  readonly byType: readonly { readonly type: string; readonly perState: number; readonly us: number }[];
}

interface State {
  readonly world: World;
  readonly choices: readonly ModelEvent[];
}

/**
 * `n` distinct states at the depths where most of the run's states are (4 to 8 moves from the
 * setup), each the end of a walk of seeded pseudo-random choices: the same states every run.
 */
function sampleStates(p: Params, n: number): State[] {
  const { world, ctx } = buildSetup(rpcitShadow, p);
  const root = sealWorld(cloneWorld(world));
  const out: State[] = [];
  const seen = new Set<string>();
  let seed = 0x2545f491;
  const next = (m: number) => {
    // xorshift32: a fixed sequence, so every bench run times the same states.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % m;
  };
  for (let tries = 0; out.length < n && tries < 20 * n; tries++) {
    let w = root;
    let choices = rpcitShadow.choices(w, p, ctx);
    for (let d = 4 + next(5); d > 0; d--) {
      w = sealWorld(applyMove(w, choices, next(choices.length)).world);
      choices = rpcitShadow.choices(w, p, ctx);
    }
    const k = fingerprint(w).join();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ world: w, choices });
  }
  return out;
}

/** The least of `rounds` timings of `fn`, in milliseconds (after two rounds to warm up). */
function best(rounds: number, fn: () => void): number {
  fn();
  fn();
  let least = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    least = Math.min(least, performance.now() - t0);
  }
  return least;
}

/** Times `n` states of rpcit-shadow(G, I, L) (sampleStates), the least of `rounds` timings of each measure. */
export function eventFloor(p: Params = { G: 3, I: 3, L: 2 }, n = 3000, rounds = 5): Floor {
  const states = sampleStates(p, n);
  const moves = states.reduce((m, s) => m + s.choices.length, 0);
  const j = new WorldJournal(true);
  const applyMs = best(rounds, () => {
    for (const s of states) {
      for (const e of s.choices) {
        applyInPlace(s.world, j, e);
        j.undo();
      }
    }
  });
  const props = rpcitShadow.properties.map((name) => propertyNamed(name)!) as Property[];
  const x: Expander = { props, covers: rpcitShadow.covers, key: fingerprint, checked: () => true, coverPending: () => false };
  const expandMs = best(rounds, () => {
    for (const s of states) expandState(s.world, s.choices, x, () => undefined);
  });
  const types = [...new Set(states.flatMap((s) => s.choices.map((e) => e.type)))];
  const byType = types.map((type) => {
    let count = 0;
    for (const s of states) for (const e of s.choices) if (e.type === type) count++;
    const ms = best(rounds, () => {
      for (const s of states) {
        for (const e of s.choices) {
          if (e.type !== type) continue;
          applyInPlace(s.world, j, e);
          j.undo();
        }
      }
    });
    return { type, perState: count / states.length, us: (ms * 1000) / count };
  });
  return { applyUs: (applyMs * 1000) / moves, expandUs: (expandMs * 1000) / moves, states: states.length, moves, byType };
}
