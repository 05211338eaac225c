/** How states are keyed: the full fingerprint, or with --symmetry the scenario's canonical orbit key. */
import type { WorldJournal } from '../kernel/in-place.js';
import type { World } from '../model/world.js';
import { keyBase, successorFingerprint } from './fingerprint.js';
import { hashValue } from './value-hash.js';
import type { Params, Scenario } from './scenario.js';

/** The orbit-key function when symmetry is asked for and the scenario declares its sets; else undefined. */
export function stateKeyFn<Ctx>(s: Scenario<Ctx>, p: Params, ctx: Ctx, symmetry: boolean): ((w: World) => [number, number]) | undefined {
  if (!symmetry || !s.canonical) return undefined;
  return (w) => {
    const k = s.canonical!(w, p, ctx);
    return hashValue(k);
  };
}

/**
 * A state key kept up with moves applied in place: `base` reads the expanded state once (its key
 * included), `after` keys it with one move applied from that reading and the move's journal,
 * at a cost that follows what the move changed. Equal to the plain key (tested).
 */
export interface IncrementalKey<B extends { readonly key: [number, number] } = { readonly key: [number, number] }> {
  base(w: World): B;
  after(base: B, w: World, j: WorldJournal): [number, number];
}

/** The plain fingerprint's: sums of every part's share, a move's shares taken out and put in. */
export const incrementalFingerprint: IncrementalKey = { base: keyBase, after: successorFingerprint as IncrementalKey['after'] };

/**
 * The incremental form of a run's key: the fingerprint's, or with symmetry the scenario's orbit
 * key when it declares canonicalBase and canonicalAfter (undefined otherwise: every successor is
 * keyed whole).
 */
export function incrementalKeyFn<Ctx>(s: Scenario<Ctx>, p: Params, ctx: Ctx, symmetry: boolean): IncrementalKey | undefined {
  const whole = stateKeyFn(s, p, ctx, symmetry);
  if (!whole) return incrementalFingerprint;
  const { canonicalBase, canonicalAfter } = s;
  if (!canonicalBase || !canonicalAfter) return undefined;
  interface OrbitBase {
    readonly key: [number, number];
    readonly read: unknown;
  }
  return {
    base: (w: World): OrbitBase => ({ key: whole(w), read: canonicalBase.call(s, w, p, ctx) }),
    after: (b, w, j) => hashValue(canonicalAfter.call(s, w, p, ctx, (b as OrbitBase).read, j)),
  };
}
