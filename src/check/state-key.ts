/** How states are keyed: the full fingerprint, or with --symmetry the scenario's canonical orbit key. */
import type { World } from '../model/world.js';
import { hashValue } from './fingerprint.js';
import type { Params, Scenario } from './scenario.js';

/** The orbit-key function when symmetry is asked for and the scenario declares its sets; else undefined. */
export function stateKeyFn<Ctx>(s: Scenario<Ctx>, p: Params, ctx: Ctx, symmetry: boolean): ((w: World) => [number, number]) | undefined {
  if (!symmetry || !s.canonical) return undefined;
  return (w) => {
    const k = s.canonical!(w, p, ctx);
    return hashValue(k);
  };
}
