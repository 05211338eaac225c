/** The property registry: every property is checked after every event (transition properties with the step). */
import type { ModelEvent } from '../src/events/types.js';
import type { Outcome } from '../src/model/outcome.js';
import type { World } from '../src/model/world.js';
import { isolation } from './isolation.js';
import { kvmDomainExclusive } from './kvm-domain-exclusive.js';
import { lockedVmAccounting } from './locked-vm-accounting.js';
import { lockedVmLimit } from './locked-vm-limit.js';
import { noDanglingKvm } from './no-dangling-kvm.js';
import { noIovaToUnpinnedPage } from './no-iova-to-unpinned-page.js';
import { pinBalance } from './pin-balance.js';
import { teardownComplete } from './teardown-complete.js';
import { translationCoherence } from './translation-coherence.js';
import { WorldView } from './view.js';
import { containerCoherence } from './container-coherence.js';
import { tceWindowBounds } from './tce-window-bounds.js';
import { dirtyTrackingComplete } from './dirty-tracking-complete.js';
import { iotlbCoherence } from './iotlb-coherence.js';
import { sharedStage2Populated } from './shared-stage2-populated.js';
import type { Property, Violation } from './types.js';

export type { Invariant, Property, Step, TransitionProperty, Violation } from './types.js';
export { WorldView } from './view.js';

export const PROPERTIES: readonly Property[] = [
  noIovaToUnpinnedPage,
  pinBalance,
  lockedVmAccounting,
  lockedVmLimit,
  isolation,
  teardownComplete,
  translationCoherence,
  kvmDomainExclusive,
  noDanglingKvm,
  containerCoherence,
  tceWindowBounds,
  dirtyTrackingComplete,
  iotlbCoherence,
  sharedStage2Populated,
];

/** A property by its stable name. */
export function propertyNamed(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

/** What transition properties noted before an event; pass it to checkProperties after the event. */
export type PreNotes = Map<string, unknown>;

/** Notes the pre-event facts of the transition properties among `props`. Pure. */
export function notePre(w: World, props: readonly Property[] = PROPERTIES): PreNotes {
  const view = new WorldView(w);
  const notes: PreNotes = new Map();
  for (const p of props) if (p.kind === 'transition') notes.set(p.name, p.pre(view));
  return notes;
}

/**
 * Checks the properties against a world. Invariants always run; transition properties run when
 * the step that produced the world is given. Pure.
 */
export function checkProperties(
  w: World,
  props: readonly Property[] = PROPERTIES,
  step?: { event: ModelEvent; outcome: Outcome; pre: PreNotes },
): Violation[] {
  const out: Violation[] = [];
  const view = new WorldView(w);
  for (const p of props) {
    if (p.kind === 'invariant') out.push(...p.check(view));
    else if (step) out.push(...p.check(view, { event: step.event, outcome: step.outcome, pre: step.pre.get(p.name) }));
  }
  return out;
}
