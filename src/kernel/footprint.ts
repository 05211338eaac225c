/**
 * What an event type was seen to change in a sealed world, learned from the events themselves:
 * per record map, a shape saying which of its data is copied before the event runs. A node is
 * copied one level (a new map, array or object whose values are still the shared, frozen ones);
 * its children name the values copied too (`*`: every value of a map or element of an array;
 * `**`: everything below, copied whole). A write below the shape throws on frozen data, and the
 * event is applied again to a full copy, which teaches the shape the part it missed.
 *
 * Why shapes rather than whole maps: a container's record holds every DMA range with its page
 * list, a process's record its page map, and an event changes one range or one counter. Copying
 * the record whole cost in proportion to everything it holds.
 *
 * A record or array node marked `~` is not copied when the event is applied in place: every
 * change seen below it was a write to one of its maps or sets, which go through the journal where
 * they are (a migration writes the process's page map and assigns none of the process record's
 * fields; a guest's store notes the page in its memslot's `written` set, in the VM's list of
 * slots, and changes neither list nor slot). A fork copies its maps, so it copies the record or
 * array that holds them as before.
 */
import { copyData, RECORD_MAPS, type RecordMap, type World } from '../model/world.js';
import { sameData } from './same-data.js';
import { isObject } from '../util/is-object.js';
import { refusedPaths, type RefusedPath } from './footprint-refusal.js';

/** A node of a shape: the keys are field names, `*` (every value or element), `**` (all below) and `~` (see above). */
export type Shape = Map<string, Shape>;

/** In a record's node: applied in place, the record is kept and only its maps and sets below are written. */
const KEEP = '~';

/** Per record map, the shape of what an event type changes in it. */
export type Footprint = ReadonlyMap<RecordMap, Shape>;

const footprints = new Map<string, Footprint | 'all'>();
const NOTHING: Footprint = new Map();

/** What applying `footprint` was seen to change ('all' when that could not be told). */
export function footprintOf(footprint: string): Footprint | 'all' {
  return footprints.get(footprint) ?? NOTHING;
}

/**
 * After a full-copy apply of `footprint`, what differs from `before` joins what it is known to
 * change. `copied` holds the maps and sets of the full copy as it was before the event ran
 * (mapsAndSets): one still there afterwards was written, not replaced. `refused` is the TypeError
 * the attempt on the shared data threw (absent: there was none): where nothing differs, it says
 * which shared data was written (footprint-refusal.ts).
 */
export function learnFootprint(footprint: string, before: Pick<World, RecordMap>, after: Pick<World, RecordMap>, copied: ReadonlySet<object>, refused?: TypeError): void {
  const known = footprintOf(footprint);
  if (known !== 'all') footprints.set(footprint, learn(before, after, known, copied, refused));
}

/** Every map and set in the world's record maps, below them included (taken of a full copy before its event runs). */
export function mapsAndSets(w: Pick<World, RecordMap>): Set<object> {
  const out = new Set<object>();
  const walk = (v: unknown): void => {
    if (!isObject(v)) return;
    if (v instanceof Map) {
      out.add(v);
      for (const x of v.values()) walk(x);
    } else if (v instanceof Set) out.add(v);
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else for (const k in v) walk((v as Record<string, unknown>)[k]);
  };
  for (const f of RECORD_MAPS) walk(w[f]);
  return out;
}

/**
 * `v` copied as far as `node` says. In place (sealed maps open to a journal, kernel/seal.ts), a
 * map or set is kept and its values that need a copy are replaced in it: its writes, those
 * included, are journalled where they are.
 */
export function copyShaped(v: unknown, node: Shape, inPlace: boolean): unknown {
  if (!isObject(v)) return v;
  if (node.has('**')) return copyData(v);
  const each = node.get('*');
  if (v instanceof Map) {
    if (each === undefined) return inPlace ? v : new Map(v);
    // in place, the values are replaced through the sealed map's journalled set: no new map to seal.
    const out = inPlace ? v : new Map(v);
    for (const [k, x] of v) if (isObject(x)) out.set(k, copyShaped(x, each, inPlace));
    return out;
  }
  if (v instanceof Set) return inPlace ? v : new Set(v);
  if (Array.isArray(v)) {
    if (inPlace && node.has(KEEP)) {
      // as a kept record: copied only when an element had to be.
      let kept: unknown[] | undefined;
      if (each !== undefined) {
        for (let i = 0; i < v.length; i++) {
          if (!isObject(v[i])) continue;
          const c = copyShaped(v[i], each, true);
          if (c !== v[i]) (kept ??= v.slice())[i] = c;
        }
      }
      return kept ?? v;
    }
    const out = v.slice();
    if (each !== undefined) for (let i = 0; i < out.length; i++) if (isObject(out[i])) out[i] = copyShaped(out[i], each, inPlace);
    return out;
  }
  const rec = v as Record<string, unknown>;
  if (inPlace && node.has(KEEP)) {
    // its maps and sets, kept too, get what copies their values need (a map takes them through
    // the journal); a field whose value had to be copied after all makes the record a copy.
    let out: Record<string, unknown> | undefined;
    for (const [f, sub] of node) {
      if (f === KEEP || !isObject(rec[f])) continue;
      const c = copyShaped(rec[f], sub, true);
      if (c !== rec[f]) (out ??= { ...rec })[f] = c;
    }
    return out ?? v;
  }
  const out: Record<string, unknown> = { ...rec };
  for (const [f, sub] of node) if (f !== KEEP && f in out) out[f] = copyShaped(out[f], sub, inPlace);
  return out;
}

/** Replaces each map of `w` that `copied` names with a copy it may change; every map, whole, for 'all'. */
export function copyFootprint(w: World, copied: Footprint | 'all', inPlace = false): void {
  const o = w as Record<RecordMap, unknown>;
  if (copied === 'all') for (const f of RECORD_MAPS) o[f] = copyData(w[f]);
  else for (const [f, node] of copied) o[f] = copyShaped(w[f], node, inPlace);
}

/** A copy of a shape, so a learned footprint never changes under a caller that holds it. */
function cloneShape(node: Shape): Shape {
  return new Map([...node].map(([k, c]) => [k, cloneShape(c)]));
}

/**
 * The maps that differ after a full-copy apply join the type's footprint, each with the shape of
 * what differs in it. When nothing is new (a value written equal to the old one, a map written in
 * a record then removed), the shared data the refusal names joins it instead. When that is
 * nothing new either (a message of another form, or a TypeError of the handler's own), everything
 * is copied for that type from now on rather than fail again.
 */
function learn(before: Pick<World, RecordMap>, after: Pick<World, RecordMap>, known: Footprint, copied: ReadonlySet<object>, refused?: TypeError): Footprint | 'all' {
  const grown = new Map<RecordMap, Shape>();
  for (const [f, node] of known) grown.set(f, cloneShape(node));
  let grew = false;
  for (const f of RECORD_MAPS) {
    if (sameData(before[f], after[f])) continue;
    let node = grown.get(f);
    if (!node) {
      grown.set(f, (node = new Map()));
      grew = true;
    }
    if (learnShape(before[f], after[f], node, copied)) grew = true;
  }
  if (!grew && refused !== undefined) grew = learnRefused(grown, refusedPaths(before, refused));
  return grew ? grown : 'all';
}

/**
 * Grows `grown` so that it copies the end of every path (a record or array there loses its KEEP
 * mark: it was written itself); a record or array made on the way is kept in place, as learnShape
 * makes one for a change below it. True when it grew.
 */
function learnRefused(grown: Map<RecordMap, Shape>, paths: ReadonlyMap<RecordMap, readonly RefusedPath[]>): boolean {
  const made = { grew: false };
  for (const [f, list] of paths) {
    let root = grown.get(f);
    if (!root) {
      grown.set(f, (root = new Map()));
      made.grew = true;
    }
    for (const p of list) {
      let node = root;
      for (let i = 0; i < p.steps.length; i++) {
        if (node.has('**')) break;
        const fresh = !node.has(p.steps[i]);
        node = childOf(node, p.steps[i], made);
        const end = i === p.steps.length - 1;
        if (end && node.delete(KEEP)) made.grew = true;
        else if (!end && fresh && p.keepable[i]) node.set(KEEP, new Map());
      }
    }
  }
  return made.grew;
}

/** The child `key` of `node`, made when missing (`made` says so). */
function childOf(node: Shape, key: string, made: { grew: boolean }): Shape {
  let c = node.get(key);
  if (!c) {
    node.set(key, (c = new Map()));
    made.grew = true;
  }
  return c;
}

const sameKind = (a: object, b: object) =>
  (a instanceof Map) === (b instanceof Map) && (a instanceof Set) === (b instanceof Set) && Array.isArray(a) === Array.isArray(b);

/**
 * Grows `node` (which copies `b`'s level already) so that it also copies every value below that
 * differs between `b` and `a`; true when it grew. A record's or array's node is marked to be kept
 * in place (KEEP) when first made for a change that only wrote maps or sets below it (ones in
 * `copied`, the full copy's before the event), and loses the mark, for good, when a change assigns
 * a field or an element of it.
 */
function learnShape(b: unknown, a: unknown, node: Shape, copied: ReadonlySet<object>): boolean {
  const made = { grew: false };
  if (!isObject(b) || !isObject(a) || !sameKind(b, a) || node.has('**')) return false;
  const visit = (key: string, xb: unknown, xa: unknown) => {
    if (!isObject(xb) || !isObject(xa) || sameData(xb, xa)) return;
    if (!sameKind(xb, xa)) return; // replaced outright: a write to this level, which is copied
    const fresh = !node.has(key);
    const child = childOf(node, key, made);
    if (learnShape(xb, xa, child, copied)) made.grew = true;
    // a record or an array: kept in place while no change has assigned one of its fields or elements.
    let assigned: boolean;
    if (isRecord(xb) && isRecord(xa)) assigned = recordAssigned(xb, xa, copied);
    else if (Array.isArray(xb) && Array.isArray(xa)) assigned = arrayAssigned(xb, xa, copied);
    else return;
    if (fresh && !assigned) child.set(KEEP, new Map());
    else if (assigned && child.delete(KEEP)) made.grew = true;
  };
  if (b instanceof Map) {
    for (const [k, xb] of b) if ((a as Map<unknown, unknown>).has(k)) visit('*', xb, (a as Map<unknown, unknown>).get(k));
  } else if (b instanceof Set) {
    // members are compared whole: a set is written through its (journalled) methods only.
  } else if (Array.isArray(b)) {
    const aa = a as unknown[];
    if (b.length === aa.length) for (let i = 0; i < b.length; i++) visit('*', b[i], aa[i]);
    else {
      // elements moved (an insert or a removal): more elements equal to none before than were
      // inserted means one changed where it was, and which cannot be told: copy elements whole.
      const unmatched = aa.filter((x) => isObject(x) && !b.some((y) => sameData(x, y))).length;
      if (unmatched > Math.max(0, aa.length - b.length)) childOf(childOf(node, '*', made), '**', made);
    }
  } else {
    for (const f in b) visit(f, (b as Record<string, unknown>)[f], (a as Record<string, unknown>)[f]);
  }
  return made.grew;
}

const isRecord = (x: unknown): x is Record<string, unknown> => isObject(x) && !(x instanceof Map) && !(x instanceof Set) && !Array.isArray(x);

/**
 * Whether a change from record `b` to `a` assigned a field of it: a value that differs and is not
 * one of its maps or sets written where it was (in `copied`), nor a record below it that needed
 * no copy either; a field added or removed counts.
 */
function recordAssigned(b: Record<string, unknown>, a: Record<string, unknown>, copied: ReadonlySet<object>): boolean {
  for (const f in a) if (!(f in b)) return true;
  for (const f in b) {
    if (!(f in a)) return true;
    if (valueAssigned(b[f], a[f], copied)) return true;
  }
  return false;
}

/** As recordAssigned, for an array: its length or an element changed other than below it. */
function arrayAssigned(b: readonly unknown[], a: readonly unknown[], copied: ReadonlySet<object>): boolean {
  if (b.length !== a.length) return true;
  for (let i = 0; i < b.length; i++) if (valueAssigned(b[i], a[i], copied)) return true;
  return false;
}

/** Whether the change from `xb` to `xa`, a field's or an element's value, assigned it (or a field or element below it). */
function valueAssigned(xb: unknown, xa: unknown, copied: ReadonlySet<object>): boolean {
  if (!isObject(xb) || !isObject(xa)) return xb !== xa;
  if (sameData(xb, xa)) return false;
  if (!sameKind(xb, xa)) return true;
  if (xa instanceof Map || xa instanceof Set) return !copied.has(xa);
  if (Array.isArray(xa)) return arrayAssigned(xb as unknown[], xa, copied);
  return recordAssigned(xb as Record<string, unknown>, xa as Record<string, unknown>, copied);
}
