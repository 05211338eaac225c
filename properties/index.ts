/** The property registry: every invariant checked after every event. */
import type { World } from '../src/model/world.js';
import { isolation } from './isolation.js';
import { lockedVmAccounting } from './locked-vm-accounting.js';
import { noIovaToUnpinnedPage } from './no-iova-to-unpinned-page.js';
import { pinBalance } from './pin-balance.js';
import { teardownComplete } from './teardown-complete.js';
import { translationCoherence } from './translation-coherence.js';
import { kvmDomainExclusive } from './kvm-domain-exclusive.js';
import { noDanglingKvm } from './no-dangling-kvm.js';
import type { Property, Violation } from './types.js';
import { WorldView } from './translations.js';

export type { Property, Violation } from './types.js';

export const PROPERTIES: readonly Property[] = [
  noIovaToUnpinnedPage,
  pinBalance,
  lockedVmAccounting,
  isolation,
  teardownComplete,
  translationCoherence,
  kvmDomainExclusive,
  noDanglingKvm,
];

/** A property by its stable name. */
export function propertyNamed(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

/** Checks every property (or the named ones) against a world. Pure. */
export function checkProperties(w: World, props: readonly Property[] = PROPERTIES): Violation[] {
  const out: Violation[] = [];
  const view = new WorldView(w);
  for (const p of props) out.push(...p.check(view));
  return out;
}
