/**
 * Sealing a world: its record maps are deep-frozen so forks can share them. Plain objects and
 * arrays refuse every write (a TypeError); maps and sets refuse them too, except while a world is
 * applied in place (kernel/in-place.ts): then each write is made where it is and told to the
 * journal, which can undo it and knows which part of the world it changed.
 *
 * Why maps are written in place: a process's page map, a pin-count map or a function's shadow map
 * may hold tens of thousands of entries, and an event adds or removes one of them. Copying the map
 * before the write cost in proportion to its size; a journal entry costs one.
 */
import { RECORD_MAPS, type World } from '../model/world.js';

/** Thrown by a sealed map's or set's mutating methods when no journal is open; names the map or set (footprints learn where it is). */
class SharedWrite extends TypeError {
  constructor(readonly target: object) {
    super('write to a map shared between forked worlds');
  }
}

/** The sealed map or set a write refused by it was made to (undefined: `err` is another error). */
export function refusedTarget(err: unknown): object | undefined {
  return err instanceof SharedWrite ? err.target : undefined;
}

/** What hears of every write to a sealed map or set while a world is applied in place. */
export interface SealedWrites {
  mapSet(m: Map<unknown, unknown>, part: string, k: unknown, v: unknown): void;
  mapDelete(m: Map<unknown, unknown>, part: string, k: unknown): void;
  setAdd(s: Set<unknown>, part: string, x: unknown): void;
  setDelete(s: Set<unknown>, part: string, x: unknown): void;
  /** Whether a map or set of `part` was written since the journal opened (copies of its records put in included). */
  touched(part: string): boolean;
  /** Whether this very map or set was written since the journal opened. */
  wrote(t: object): boolean;
  /** Tells `fn` every map or set written since the journal opened, with its part. */
  forEachWritten(fn: (t: object, part: string) => void): void;
  /**
   * Tells `fn` each key (member) of `t` written since the journal opened, once, with whether it
   * was there before the first of those writes and the value it had then; false (and nothing
   * told) when `t` took more than `most` writes.
   */
  keysWritten(t: object, most: number, fn: (k: unknown, had: boolean, old: unknown) => void): boolean;
}

let open: SealedWrites | undefined;
/**
 * Journals whose moves stay applied under the open one's (a state rebuilt in place on its parent's
 * world, kernel/in-place.ts `hold`): their writes are not what cached hashes say either.
 */
const held: SealedWrites[] = [];
/** Names the held journals as they stand: a new number whenever one is held or resumed (0: none held). */
let heldNow = 0;
let holds = 0;
/**
 * What the held journals wrote, gathered when one is held or resumed: they write nothing more while
 * held. Lists, not sets: a move writes a few maps of a few parts, a set's clear cost more than
 * the scans, and a hold and a resume come with nearly every state expanded. A list grown past
 * SCAN_MOST is looked up through a set of it.
 */
const heldTargets: object[] = [];
const heldParts: string[] = [];
let heldTargetSet: Set<object> | undefined;
const SCAN_MOST = 16;

function gatherHeld(): void {
  heldTargets.length = 0;
  heldParts.length = 0;
  heldTargetSet = undefined;
  for (const h of held) h.forEachWritten(noteHeld);
}

function noteHeld(t: object, part: string): void {
  if (!isHeldTarget(t)) {
    heldTargets.push(t);
    if (heldTargetSet !== undefined) heldTargetSet.add(t);
    else if (heldTargets.length > SCAN_MOST) heldTargetSet = new Set(heldTargets);
  }
  if (!heldParts.includes(part)) heldParts.push(part);
}

function isHeldTarget(t: object): boolean {
  if (heldTargetSet !== undefined) return heldTargetSet.has(t);
  for (let i = 0; i < heldTargets.length; i++) if (heldTargets[i] === t) return true;
  return false;
}

/** Lets sealed maps and sets be written, each write told to `w` (undefined: they refuse again). */
export function openSealed(w: SealedWrites | undefined): void {
  if (w !== undefined && open !== undefined) throw new Error('sealed maps are already open to another journal');
  open = w;
}

/** The open journal steps aside, its writes standing, for one whose move goes on top (`resumeSealed` takes it back). */
export function holdSealed(): void {
  if (open === undefined) throw new Error('no journal is open to hold');
  held.push(open);
  open = undefined;
  heldNow = ++holds;
  gatherHeld();
}

/** Opens the journal held last again, once the one on top of it has closed. */
export function resumeSealed(w: SealedWrites): void {
  if (open !== undefined || held.at(-1) !== w) throw new Error('a held journal resumes only when it is the last held and nothing is open');
  held.pop();
  open = w;
  heldNow = held.length === 0 ? 0 : ++holds;
  gatherHeld();
}

/**
 * The held journals as they stand, as a number: what a held journal wrote keeps its content while
 * they stand (only the open journal writes), so a hash of it holds while this number does.
 */
export function heldJournals(): number {
  return heldNow;
}

/**
 * Whether a sealed map or set of world part `part` was written in place since a journal opened
 * (the open one or one held under it): its content then differs from what a hash cached for the
 * frozen map says (check/fingerprint.ts).
 */
export function sealedWritten(part: string): WriteLevel {
  if (open !== undefined && open.touched(part)) return 2;
  return heldParts.length > 0 && heldParts.includes(part) ? 1 : 0;
}

/** Whether the sealed map or set `t` was written in place by the open journal (2) or only by held ones (1): its content is the moves', not what was sealed. */
export function sealedWrittenHere(t: object): WriteLevel {
  if (open !== undefined && open.wrote(t)) return 2;
  return heldWrote(t) ? 1 : 0;
}

/**
 * Tells `fn` each key of the sealed map or set `t` the open journal wrote (see
 * SealedWrites.keysWritten); false when none is open or it wrote `t` more than `most` times.
 */
export function sealedKeysWritten(t: object, most: number, fn: (k: unknown, had: boolean, old: unknown) => void): boolean {
  return open !== undefined && open.keysWritten(t, most, fn);
}

/** Whether a held journal wrote the sealed map or set `t` (what it holds is then theirs while they stand). */
export function heldWrote(t: object): boolean {
  return heldTargets.length > 0 && isHeldTarget(t);
}

/**
 * How far what was sealed may differ from what is there now: 0 not written in place, 1 written by
 * held journals only (fixed while they stand: heldJournals), 2 written by the open journal.
 */
export type WriteLevel = 0 | 1 | 2;

/**
 * Caches of values derived from a sealed map's or set's content (a hash), by the map. A write
 * that is kept (a journal's commit) drops the map from every one; an undone write needs nothing,
 * the content is back as it was.
 */
const derived: WeakMap<object, unknown>[] = [];

/** A cache of values derived from sealed maps and sets that kept writes keep true (see `derived`). */
export function derivedCache<V>(): WeakMap<object, V> {
  const c = new WeakMap<object, V>();
  derived.push(c as WeakMap<object, unknown>);
  return c;
}

/** Tells every derived cache that `t` was written for good. */
export function keptWrite(t: object): void {
  for (const c of derived) c.delete(t);
}

/** Whether sealed maps are open to a journal (a fork must not run then: it would write shared maps). */
export function sealedOpen(): boolean {
  return open !== undefined || held.length > 0;
}

/** The world part (record map name) a sealed map or set belongs to. */
const PART = Symbol('part');

/** The journal a write to sealed map or set `target` goes to; throws when none is open. */
function writable(target: object): SealedWrites {
  if (open === undefined) throw new SharedWrite(target);
  return open;
}

const partOf = (target: object): string => (target as Record<symbol, string>)[PART];

const MAP_GET = Map.prototype.get;
const MAP_HAS = Map.prototype.has;
const SET_HAS = Set.prototype.has;

// a write that changes nothing is not a write: it needs neither the journal nor a copy.
function sealedMapSet(this: Map<unknown, unknown>, k: unknown, v: unknown): Map<unknown, unknown> {
  if (MAP_GET.call(this, k) === v && MAP_HAS.call(this, k)) return this;
  writable(this).mapSet(this, partOf(this), k, v);
  return this;
}

function sealedMapDelete(this: Map<unknown, unknown>, k: unknown): boolean {
  if (!MAP_HAS.call(this, k)) return false;
  writable(this).mapDelete(this, partOf(this), k);
  return true;
}

// clearing an empty map or set changes nothing (the first delete asks for the journal).
function sealedMapClear(this: Map<unknown, unknown>): void {
  for (const k of [...Map.prototype.keys.call(this)]) sealedMapDelete.call(this, k);
}

function sealedSetAdd(this: Set<unknown>, x: unknown): Set<unknown> {
  if (SET_HAS.call(this, x)) return this;
  writable(this).setAdd(this, partOf(this), x);
  return this;
}

function sealedSetDelete(this: Set<unknown>, x: unknown): boolean {
  if (!SET_HAS.call(this, x)) return false;
  writable(this).setDelete(this, partOf(this), x);
  return true;
}

function sealedSetClear(this: Set<unknown>): void {
  for (const x of [...Set.prototype.values.call(this)]) sealedSetDelete.call(this, x);
}

const fixed = (value: unknown) => ({ value, writable: false, enumerable: false, configurable: false });
const MAP_METHODS = { set: fixed(sealedMapSet), delete: fixed(sealedMapDelete), clear: fixed(sealedMapClear) };
const SET_METHODS = { add: fixed(sealedSetAdd), delete: fixed(sealedSetDelete), clear: fixed(sealedSetClear) };

/**
 * The prototypes sealed maps and sets of each part are given: Map's (Set's) with the sealed
 * methods and the part's name on top, made once per part. A prototype swapped in cost a sixth of
 * defining the same properties on every map (a fork seals the maps its move copied).
 */
const sealedMaps = new Map<string, object>();
const sealedSets = new Map<string, object>();

function sealing(cache: Map<string, object>, base: object, methods: PropertyDescriptorMap, part: string): object {
  const had = cache.get(part);
  if (had !== undefined) return had;
  const proto: object = Object.create(base, { ...methods, [PART]: fixed(part) });
  cache.set(part, proto);
  return proto;
}

/**
 * Deep-freezes plain data of world part `part`; maps and sets get the sealed methods above. Frozen
 * objects are skipped (a value written into a sealed map in place is sealed by the journal that
 * keeps the write).
 */
export function freeze(v: unknown, part: string): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  if (ArrayBuffer.isView(v)) throw new Error('model records may not hold typed arrays (they cannot be frozen)');
  // primitives are passed over without a call: page-number arrays and pin maps are long.
  if (v instanceof Map) {
    for (const x of v.values()) if (typeof x === 'object' && x !== null) freeze(x, part);
    Object.setPrototypeOf(v, sealing(sealedMaps, Map.prototype, MAP_METHODS, part));
  } else if (v instanceof Set) {
    Object.setPrototypeOf(v, sealing(sealedSets, Set.prototype, SET_METHODS, part));
  } else if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null) freeze(x, part);
  } else {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === 'object' && x !== null) freeze(x, part);
    }
  }
  Object.freeze(v);
}

/** Freezes the world's record maps, so forks may share them; the world must not change afterwards. */
export function sealWorld(w: World): World {
  for (const f of RECORD_MAPS) freeze(w[f], f);
  return w;
}
