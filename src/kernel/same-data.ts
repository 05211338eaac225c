/**
 * Equality of the plain data records are made of (objects, arrays, maps, sets, primitives), and
 * of a record map with a copy of it that shares what was not copied. Pure.
 */

/**
 * Whether a record map and a copy of it (kernel/footprint.ts, or copyData) hold the same data. A record's
 * fields still shared with the original are equal by identity, so only the copied ones are compared
 * in depth: the cost is the number of records, plus the size of what was copied deep.
 */
export function sameRecords(a: ReadonlyMap<unknown, unknown>, b: ReadonlyMap<unknown, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, rb] of b) {
    const ra = a.get(k);
    if (ra === undefined && !a.has(k)) return false;
    if (!sameRecord(ra, rb)) return false;
  }
  return true;
}

/** Whether a record and a copy of it hold the same data: fields still shared are equal by identity. */
export function sameRecord(ra: unknown, rb: unknown): boolean {
  if (ra === rb) return true;
  if (typeof ra !== 'object' || ra === null || typeof rb !== 'object' || rb === null) return false;
  let fields = 0;
  for (const f in rb) {
    fields++;
    const x = (ra as Record<string, unknown>)[f];
    const y = (rb as Record<string, unknown>)[f];
    if (x !== y && !sameData(x, y)) return false;
    if (x === undefined && !(f in ra)) return false;
  }
  return Object.keys(ra).length === fields;
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
