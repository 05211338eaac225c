/**
 * The property registry: the built-in properties and those a user module registers, by stable
 * kebab-case name. Every property a scenario names is checked after every event (transition
 * properties with the step).
 */
import { EVENT_TYPES, type ModelEvent } from '../src/events/types.js';
import { DesignError } from '../src/ops/registry.js';
import type { Outcome } from '../src/model/outcome.js';
import { RECORD_MAPS, SCALARS, type World } from '../src/model/world.js';
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
import { dmaAvailAccounting } from './dma-avail-accounting.js';
import { spaprAccounting } from './spapr-accounting.js';
import { kvmPinAccounting } from './kvm-pin-accounting.js';
import type { Property, TransitionProperty, Violation, WorldPart } from './types.js';

export type { Invariant, Property, Step, TransitionProperty, Violation, WorldPart } from './types.js';
export { WorldView } from './view.js';

const LIST: Property[] = [];

/** What an invariant's `reads` may name. */
const WORLD_PARTS: ReadonlySet<string> = new Set(['frames', ...RECORD_MAPS, ...SCALARS]);

/** Every registered property, built-in ones first (a live list). */
export const PROPERTIES: readonly Property[] = LIST;

/**
 * Registers a property (library API, and what a user module passed to --load calls). Refuses a
 * name that is not kebab-case or is taken, an unknown kind, and a missing check (or pre, for a
 * transition property).
 */
export function registerProperty<P extends Property>(p: P): P {
  const bad = (why: string) => new DesignError(`property "${p?.name}": ${why}`);
  if (typeof p?.name !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(p.name)) throw bad('the name must be lower-case kebab-case (a-z, 0-9, -)');
  if (propertyNamed(p.name)) throw bad('is already registered');
  if (p.kind !== 'invariant' && p.kind !== 'transition') throw bad(`kind must be "invariant" or "transition", not ${JSON.stringify((p as { kind: unknown }).kind)}`);
  if (typeof p.description !== 'string' || p.description === '') throw bad('needs a description');
  if (typeof p.check !== 'function') throw bad('needs a check function');
  if (p.kind === 'transition' && typeof p.pre !== 'function') throw bad('a transition property needs a pre function');
  if (p.kind === 'invariant' && p.reads !== undefined && (!Array.isArray(p.reads) || p.reads.some((r) => !WORLD_PARTS.has(r)))) {
    throw bad(`reads must list parts of the world (${[...WORLD_PARTS].join(', ')}), not ${JSON.stringify(p.reads)}`);
  }
  if (p.kind === 'invariant' && p.frameOwners !== undefined && (!Array.isArray(p.frameOwners) || p.frameOwners.some((o) => typeof o !== 'string' || o === '') || !p.reads?.includes('frames'))) {
    throw bad(`frameOwners must list owner prefixes (such as "iommu:") of the frames a property that reads 'frames' reads, not ${JSON.stringify(p.frameOwners)}`);
  }
  if (p.kind === 'transition' && p.changes !== undefined && (!Array.isArray(p.changes) || p.changes.some((r) => !WORLD_PARTS.has(r)))) {
    throw bad(`changes must list parts of the world (${[...WORLD_PARTS].join(', ')}), not ${JSON.stringify(p.changes)}`);
  }
  if (p.kind === 'transition' && p.on !== undefined && (!Array.isArray(p.on) || p.on.some((t) => !(EVENT_TYPES as readonly string[]).includes(t)))) {
    throw bad(`on must list event types (as \`vkm events\` names them), not ${JSON.stringify(p.on)}`);
  }
  LIST.push(p);
  return p;
}

for (const p of [
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
  dmaAvailAccounting,
  spaprAccounting,
  kvmPinAccounting,
] as Property[]) registerProperty(p);

/** A property by its stable name. */
export function propertyNamed(name: string): Property | undefined {
  return LIST.find((p) => p.name === name);
}

/** Every registered property's name. */
export function propertyNames(): string[] {
  return LIST.map((p) => p.name);
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

type StepSeen = { event: ModelEvent; outcome: Outcome; pre: PreNotes; actor?: ModelEvent };

/**
 * Checks the properties against a world. Invariants always run; transition properties run when
 * the step that produced the world is given. Pure.
 */
export function checkProperties(w: World, props: readonly Property[] = PROPERTIES, step?: StepSeen): Violation[] {
  const out: Violation[] = [];
  const view = new WorldView(w);
  for (const p of props) out.push(...checkOne(view, p, step));
  return out;
}

/** One property's violations on `view`'s world: an invariant's always, a transition property's when the step is given. */
export function checkOne(view: WorldView, p: Property, step?: StepSeen): readonly Violation[] {
  if (p.kind === 'invariant') return p.check(view);
  return step ? p.check(view, { event: step.event, outcome: step.outcome, pre: step.pre.get(p.name), actor: step.actor }) : [];
}

/** What tells which parts of the world a step changed (the checker's journal does). */
export interface ChangedParts {
  changedAny(parts: readonly WorldPart[]): boolean;
}

/**
 * Whether a transition property can find a step of type `type` broken, by what it declares:
 * `on` lists the type, and the step changed one of its `changes` (`changed` says which it did;
 * undefined: it changed nothing).
 */
export function transitionInScope(p: TransitionProperty, type: string, changed: ChangedParts | undefined): boolean {
  return (p.on === undefined || p.on.includes(type as ModelEvent['type'])) && (p.changes === undefined || (changed !== undefined && changed.changedAny(p.changes)));
}

/**
 * What a device could observe right now, per the device parts of `props` (undefined when none has
 * one): checked at every step point inside an op when interleavings are on. Pure.
 */
export function deviceCheck(props: readonly Property[]): ((w: World) => Violation[]) | undefined {
  const parts = props.flatMap((p) => (p.kind === 'invariant' && p.device ? [p] : []));
  if (parts.length === 0) return undefined;
  return (w) => {
    const view = new WorldView(w);
    return parts.flatMap((p) => p.device!(view));
  };
}
