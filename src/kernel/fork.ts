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
import { forgetMachineSteps, machineStepsMark } from '../ops/machines.js';
import { sealedOpen } from './seal.js';
import type { Outcome } from '../model/outcome.js';
import { cloneWorld, copyData, copyStats, RECORD_MAPS, type RecordMap, type World } from '../model/world.js';
import { clonePool } from '../memory/frames.js';

/**
 * What an event type was seen to change, per record map: the fields of its records holding nested
 * data (maps, sets, arrays, objects) the handler changed. A map in the footprint is copied with
 * new records; their nested data stays shared (and frozen) except in the fields named.
 *
 * Why per field: a process's page map or a function's shadow map may hold tens of thousands of
 * entries, and most events that change the record change only a counter beside it (locked_vm).
 */
export type Footprint = ReadonlyMap<RecordMap, ReadonlySet<string>>;

/** Per event type, what its handler was seen to change ('all' when that could not be told). */
const footprints = new Map<string, Footprint | 'all'>();
const NOTHING: Footprint = new Map();

/** What applying `footprint` was seen to change: the maps to copy up front ('all' when that could not be told). */
export function footprintOf(footprint: string): Footprint | 'all' {
  return footprints.get(footprint) ?? NOTHING;
}

/** After a full-copy apply of `footprint`, the maps and nested fields that differ from `before`'s join what it is known to change. */
export function learnFootprint(footprint: string, before: Pick<World, RecordMap>, after: Pick<World, RecordMap>): void {
  const known = footprintOf(footprint);
  if (known !== 'all') footprints.set(footprint, learn(before, after, known));
}

/**
 * A copy of a sealed record map that an event may change: a new map of new records, each sharing
 * its nested data with the original except the fields in `deep`, which are copied whole. In place
 * (sealed maps open to a journal, kernel/seal.ts), maps and sets need no copy: a map of numbers is
 * itself kept, and a deep field holding a map or set stays shared.
 */
export function copyRecordMap<K, V>(m: ReadonlyMap<K, V>, deep: ReadonlySet<string>, inPlace = false): ReadonlyMap<K, V> {
  // a map holds one kind of value: numbers (pin counts, budgets) need no more than the map copied.
  const first = m.values().next().value;
  if (typeof first !== 'object' || first === null) return inPlace ? m : new Map(m);
  const out = new Map(m);
  for (const [k, r] of m) {
    const rec: Record<string, unknown> = { ...(r as Record<string, unknown>) };
    for (const f of deep) {
      const x = rec[f];
      if (typeof x === 'object' && x !== null && !(inPlace && (x instanceof Map || x instanceof Set))) rec[f] = copyData(x);
    }
    out.set(k, rec as V);
  }
  return out;
}

/** Replaces each map of `w` that `copied` names with a copy it may change (copyRecordMap); every map for 'all'. */
export function copyFootprint(w: World, copied: Footprint | 'all', inPlace = false): void {
  const o = w as Record<RecordMap, unknown>;
  if (copied === 'all') for (const f of RECORD_MAPS) o[f] = copyData(w[f]);
  else for (const [f, deep] of copied) o[f] = copyRecordMap(w[f] as ReadonlyMap<unknown, unknown>, deep, inPlace);
}

/** A copy of a sealed world sharing every record map except `copied`. */
function fork(parent: World, copied: Footprint): World {
  // a literal rather than a spread: one fixed shape, built in one step (a spread cost 3x as much).
  const p = parent;
  const child: World = {
    arch: p.arch, kernel: p.kernel, pageLimit: p.pageLimit, design: p.design, frames: clonePool(p.frames), pins: p.pins, mms: p.mms, vms: p.vms,
    containers: p.containers, groups: p.groups, devices: p.devices, devfds: p.devfds, kvmdevs: p.kvmdevs,
    domains: p.domains, nextDomain: p.nextDomain, tceTables: p.tceTables, zpci: p.zpci, qemuDmaLimits: p.qemuDmaLimits,
    kvmAssociation: p.kvmAssociation, dmaEntryLimit: p.dmaEntryLimit, stats: copyStats(p.stats),
  };
  copyFootprint(child, copied);
  return child;
}

/**
 * Applies `e` to a copy of the sealed `parent`; the same result as cloneWorld + applyEvent. `run`
 * applies it another way (step by step, with an actor's event inside); it may run twice, so it
 * must start afresh each time. `footprint` names what is applied when that is more than the event
 * type (an actor's event inside changes other maps).
 */
export function applyForked(parent: World, e: ModelEvent, run: (w: World, e: ModelEvent) => Outcome = applyEvent, footprint: string = e.type): { world: World; outcome: Outcome } {
  if (sealedOpen()) throw new Error('a world cannot be forked while another is applied in place: it would write maps they share');
  const known = footprintOf(footprint);
  if (known !== 'all') {
    const world = fork(parent, known);
    const mark = machineStepsMark();
    try {
      return { world, outcome: run(world, e) };
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      forgetMachineSteps(mark);
      // a frozen object refused a write before anything shared changed; the attempt is discarded.
    }
  }
  const world = cloneWorld(parent);
  const outcome = run(world, e);
  learnFootprint(footprint, parent, world);
  return { world, outcome };
}

/**
 * The maps that differ after a full-copy apply join the type's footprint, and so do the nested
 * fields that differ in a record present before and after. When nothing is new, the handler wrote
 * a value equal to the old one (or the TypeError was its own): copy everything for that type from
 * now on rather than fail again.
 */
function learn(before: Pick<World, RecordMap>, after: Pick<World, RecordMap>, known: Footprint): Footprint | 'all' {
  const grown = new Map<RecordMap, Set<string>>();
  for (const [f, deep] of known) grown.set(f, new Set(deep));
  let grew = false;
  for (const f of RECORD_MAPS) {
    const b = before[f] as ReadonlyMap<unknown, unknown>;
    const a = after[f] as ReadonlyMap<unknown, unknown>;
    if (sameData(b, a)) continue;
    let deep = grown.get(f);
    if (!deep) {
      grown.set(f, (deep = new Set()));
      grew = true;
    }
    for (const [k, rb] of b) {
      const ra = a.get(k);
      if (typeof rb !== 'object' || rb === null || typeof ra !== 'object' || ra === null) continue;
      for (const field in rb) {
        const x = (rb as Record<string, unknown>)[field];
        if (typeof x !== 'object' || x === null || deep.has(field) || sameData(x, (ra as Record<string, unknown>)[field])) continue;
        deep.add(field);
        grew = true;
      }
    }
  }
  return grew ? grown : 'all';
}

/**
 * Whether a record map and a copy of it (copyRecordMap or copyData) hold the same data. A record's
 * fields still shared with the original are equal by identity, so only the copied ones are compared
 * in depth: the cost is the number of records, plus the size of what was copied deep.
 */
export function sameRecords(a: ReadonlyMap<unknown, unknown>, b: ReadonlyMap<unknown, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, rb] of b) {
    const ra = a.get(k);
    if (ra === rb) {
      if (ra === undefined && !a.has(k)) return false;
      continue;
    }
    if (typeof ra !== 'object' || ra === null || typeof rb !== 'object' || rb === null) return false;
    let fields = 0;
    for (const f in rb) {
      fields++;
      const x = (ra as Record<string, unknown>)[f];
      const y = (rb as Record<string, unknown>)[f];
      if (x !== y && !sameData(x, y)) return false;
      if (x === undefined && !(f in ra)) return false;
    }
    if (Object.keys(ra).length !== fields) return false;
  }
  return true;
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
