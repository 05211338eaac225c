/**
 * Where a write refused by shared data could have landed, from the TypeError it threw: the sealed
 * map or set it names (kernel/seal.ts), or every frozen record or array of the world's record maps
 * that V8's message fits (one holding the property it names, for an assignment or a delete; an
 * array, for an element added), as paths of a shape (kernel/footprint.ts: field names, `*` for a
 * map's values or an array's elements).
 *
 * Why: a footprint is learned by comparing the world before and after the event, applied to a
 * full copy. An op that assigns a field the value it already holds (a lifecycle stepped to the
 * state it is in, locked_vm charged and given back within one op), or that writes a map of a
 * record it then removes (a function's shadow entries dropped before the function goes) leaves
 * nothing to compare, and without this the event type was copied whole on every move from then
 * on: a full copy of every record map per move, an eighth of a profile of stage2-shared with
 * dirty bits.
 *
 * V8's messages are what is read ("Cannot assign to read only property 'lc' of object
 * '#<Object>'", "Cannot delete property '0' of [object Array]", "Cannot add property 0, object is
 * not extensible"); a message of another form finds nothing, and the footprint is given up on as
 * before. Every candidate is taken: copying a few records too many one level costs far less than
 * copying every map whole, and a path that was not the one is never refused again either.
 */
import { RECORD_MAPS, type RecordMap, type World } from '../model/world.js';
import { refusedTarget } from './seal.js';
import { isObject } from '../util/is-object.js';

/** A path from a record map to what refused: each step a field name or `*`, and whether the object reached after it is a record or an array (whose shape node can be kept in place). */
export interface RefusedPath {
  readonly steps: readonly string[];
  readonly keepable: readonly boolean[];
}

interface Refusal {
  /** 'has': the object holds `prop` (assigned or deleted); 'lacks': it was added. */
  readonly kind: 'has' | 'lacks';
  readonly prop: string;
  /** Only arrays (true), only records (false), either (undefined). */
  readonly arrays: boolean | undefined;
}

/** What a frozen object's TypeError says was refused; undefined when the message is not one of V8's for frozen data. */
export function parseRefusal(message: string): Refusal | undefined {
  const kindOf = (tail: string): boolean | undefined => (tail.includes('[object Array]') ? true : tail.includes('#<') ? false : undefined);
  let m = /^Cannot assign to read only property '([^']*)' of (.*)$/.exec(message);
  if (m) return { kind: 'has', prop: m[1], arrays: kindOf(m[2]) };
  m = /^Cannot delete property '([^']*)' of (.*)$/.exec(message);
  if (m) return { kind: 'has', prop: m[1], arrays: kindOf(m[2]) };
  m = /^Cannot add property ([^,]*), object is not extensible$/.exec(message);
  // an element or a length: an array grew; a named field: a record.
  if (m) return { kind: 'lacks', prop: m[1], arrays: /^\d+$/.test(m[1]) || m[1] === 'length' };
  return undefined;
}

/** What a refused write is looked for as: the very map or set, or what V8's message says of a frozen object. */
type Wanted = { readonly target: object } | { readonly refusal: Refusal };

function fits(x: object, w: Wanted): boolean {
  if ('target' in w) return x === w.target;
  if (x instanceof Map || x instanceof Set || !Object.isFrozen(x)) return false;
  const r = w.refusal;
  if (r.arrays !== undefined && r.arrays !== Array.isArray(x)) return false;
  const has = Object.prototype.hasOwnProperty.call(x, r.prop);
  return r.kind === 'has' ? has : !has;
}

function wantedOf(err: TypeError): Wanted | undefined {
  const target = refusedTarget(err);
  if (target) return { target };
  const refusal = parseRefusal(err.message);
  return refusal && { refusal };
}

/**
 * Per record map, the paths of `maps`' sealed maps and sets, frozen records and arrays the refusal
 * `err` fits, each path once (empty when it says nothing this can use). Pure; visits each object
 * of the maps once.
 */
export function refusedPaths(maps: Pick<World, RecordMap>, err: TypeError): Map<RecordMap, RefusedPath[]> {
  const out = new Map<RecordMap, RefusedPath[]>();
  const w = wantedOf(err);
  if (!w) return out;
  for (const f of RECORD_MAPS) {
    const found: RefusedPath[] = [];
    const seen = new Set<string>();
    const steps: string[] = [];
    const keepable: boolean[] = [];
    const visit = (x: unknown, step: string): void => {
      if (!isObject(x)) return;
      const record = !(x instanceof Map) && !(x instanceof Set) && !Array.isArray(x);
      steps.push(step);
      keepable.push(record || Array.isArray(x));
      if (fits(x, w)) {
        const key = steps.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          found.push({ steps: steps.slice(), keepable: keepable.slice() });
        }
      }
      // a set's members are compared whole (footprint.ts): nothing below one is a path.
      if (x instanceof Map || Array.isArray(x)) for (const v of x.values()) visit(v, '*');
      else if (record) for (const k in x) visit((x as Record<string, unknown>)[k], k);
      steps.pop();
      keepable.pop();
    };
    // the record map itself is the shape's root: its values are the first step.
    for (const v of maps[f].values()) visit(v, '*');
    if (found.length > 0) out.set(f, found);
  }
  return out;
}
