/**
 * Forking a world for one event without copying what the event leaves alone. A sealed world's
 * record maps are frozen (assignments throw, and so do the mutating methods of its maps and
 * sets), so a fork can share them with its parent; the maps an event type is known to change are
 * copied up front. An event that touches a shared map throws before it can change anything
 * shared, and is applied again to a full copy, which also teaches the fork what that type
 * changes. The answer is always that of `cloneWorld` plus `applyEvent`: only the copying differs.
 *
 * Why: a checker state's successors differ from it in one or two maps, and copying (and hashing)
 * the whole world for each of them was most of the cost of a transition.
 */
import type { ModelEvent } from '../events/types.js';
import { applyEvent } from './reduce.js';
import type { Outcome } from '../model/outcome.js';
import { cloneWorld, copyData, copyStats, RECORD_MAPS, type RecordMap, type World } from '../model/world.js';
import { clonePool } from '../memory/frames.js';

/** Thrown by a frozen map's or set's mutating methods. */
class SharedWrite extends TypeError {}

function refuseWrite(): never {
  throw new SharedWrite('write to a map shared between forked worlds');
}

const LOCKED = { value: refuseWrite, writable: false, enumerable: false, configurable: false };

/** Deep-freezes plain data; maps and sets lose their mutating methods. Frozen parts are skipped. */
function freeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  if (ArrayBuffer.isView(v)) throw new Error('model records may not hold typed arrays (they cannot be frozen)');
  if (v instanceof Map) {
    for (const x of v.values()) freeze(x);
    Object.defineProperties(v, { set: LOCKED, delete: LOCKED, clear: LOCKED });
  } else if (v instanceof Set) {
    Object.defineProperties(v, { add: LOCKED, delete: LOCKED, clear: LOCKED });
  } else if (Array.isArray(v)) {
    for (const x of v) freeze(x);
  } else {
    for (const k in v) freeze((v as Record<string, unknown>)[k]);
  }
  Object.freeze(v);
}

/** Freezes the world's record maps, so forks may share them; the world must not change afterwards. */
export function sealWorld(w: World): World {
  for (const f of RECORD_MAPS) freeze(w[f]);
  return w;
}

/** Per event type, the record maps its handler was seen to change ('all' when that could not be told). */
const footprints = new Map<string, ReadonlySet<RecordMap> | 'all'>();
const NOTHING: ReadonlySet<RecordMap> = new Set();

/** What applying `footprint` was seen to change: the maps to copy up front ('all' when that could not be told). */
export function footprintOf(footprint: string): ReadonlySet<RecordMap> | 'all' {
  return footprints.get(footprint) ?? NOTHING;
}

/** After a full-copy apply of `footprint`, the maps that differ from `before`'s join what it is known to change. */
export function learnFootprint(footprint: string, before: Pick<World, RecordMap>, after: Pick<World, RecordMap>): void {
  const known = footprintOf(footprint);
  if (known !== 'all') footprints.set(footprint, learn(before, after, known));
}

/** A copy of a sealed world sharing every record map except `copied`. */
function fork(parent: World, copied: ReadonlySet<RecordMap>): World {
  // a literal rather than a spread: one fixed shape, built in one step (a spread cost 3x as much).
  const p = parent;
  const child: World = {
    arch: p.arch, kernel: p.kernel, pageLimit: p.pageLimit, design: p.design, frames: clonePool(p.frames), pins: p.pins, mms: p.mms, vms: p.vms,
    containers: p.containers, groups: p.groups, devices: p.devices, devfds: p.devfds, kvmdevs: p.kvmdevs,
    domains: p.domains, nextDomain: p.nextDomain, tceTables: p.tceTables, zpci: p.zpci, qemuDmaLimits: p.qemuDmaLimits,
    kvmAssociation: p.kvmAssociation, dmaEntryLimit: p.dmaEntryLimit, stats: copyStats(p.stats),
  };
  for (const f of copied) (child as Record<RecordMap, unknown>)[f] = copyData(parent[f]);
  return child;
}

/**
 * Applies `e` to a copy of the sealed `parent`; the same result as cloneWorld + applyEvent. `run`
 * applies it another way (step by step, with an actor's event inside); it may run twice, so it
 * must start afresh each time. `footprint` names what is applied when that is more than the event
 * type (an actor's event inside changes other maps).
 */
export function applyForked(parent: World, e: ModelEvent, run: (w: World, e: ModelEvent) => Outcome = applyEvent, footprint: string = e.type): { world: World; outcome: Outcome } {
  const known = footprintOf(footprint);
  if (known !== 'all') {
    const world = fork(parent, known);
    try {
      return { world, outcome: run(world, e) };
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      // a frozen object refused a write before anything shared changed; the attempt is discarded.
    }
  }
  const world = cloneWorld(parent);
  const outcome = run(world, e);
  learnFootprint(footprint, parent, world);
  return { world, outcome };
}

/**
 * The maps that differ after a full-copy apply join the type's footprint. When none is new, the
 * handler wrote a value equal to the old one (or the TypeError was its own): copy everything for
 * that type from now on rather than fail again.
 */
function learn(before: Pick<World, RecordMap>, after: Pick<World, RecordMap>, known: ReadonlySet<RecordMap>): ReadonlySet<RecordMap> | 'all' {
  const grown = new Set(known);
  for (const f of RECORD_MAPS) if (!known.has(f) && !sameData(before[f], after[f])) grown.add(f);
  return grown.size === known.size ? 'all' : grown;
}

export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, x] of a) if (!b.has(k) || !sameData(x, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    for (const x of a) if (!b.has(x)) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
