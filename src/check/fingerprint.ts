/**
 * A 64-bit fingerprint of a world's state, as two independent 32-bit hash lanes. Canonical: maps,
 * sets and records combine their entries with addition, so the order things were inserted in
 * (history) never splits equal states; arrays are ordered. Frame contents count by value (a
 * never-written frame equals an all-zero one) and are hashed once per page version. Statistics and
 * copy-on-write bookkeeping are not state and are left out. Pure.
 */
import type { FramePool, PageBuf } from '../memory/frames.js';
import type { World } from '../model/world.js';

const SEED_A = 0x9e3779b1;
const SEED_B = 0x85ebca77;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function hashStringRaw(s: string, seed: number): number {
  let h = seed ^ s.length;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return finish(h);
}

// the same short strings (field names, ids, lifecycle states, frame owners) recur in every state.
const memoBySeed = new Map<number, Map<string, number>>();

function hashString(s: string, seed: number): number {
  if (s.length > 64) return hashStringRaw(s, seed);
  let memo = memoBySeed.get(seed);
  if (memo === undefined) memoBySeed.set(seed, (memo = new Map()));
  let h = memo.get(s);
  if (h === undefined) {
    if (memo.size > 50_000) memo.clear();
    memo.set(s, (h = hashStringRaw(s, seed)));
  }
  return h;
}

/** Hash of any JSON-like model value (numbers, strings, bigints, arrays, maps, sets, records). */
export function hashValue(v: unknown, seed: number): number {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? finish(mix(seed, v | 0)) : hashString('n' + v, seed);
    case 'string':
      return hashString(v, seed + 1);
    case 'bigint':
      return hashString('b' + v.toString(16), seed);
    case 'boolean':
      return finish(mix(seed, v ? 0x51 : 0x50));
    case 'undefined':
      return 0;
  }
  if (v === null) return 0;
  if (Array.isArray(v)) {
    let h = seed ^ 0x4a;
    for (const x of v) h = mix(h, hashValue(x, seed));
    return finish(mix(h, v.length));
  }
  if (v instanceof Map) {
    let sum = 0;
    for (const [k, x] of v) if (x !== undefined) sum = (sum + finish(mix(hashValue(k, seed), hashValue(x, seed ^ 0x5bd1e995)))) | 0;
    return finish(mix(sum, 0x4d));
  }
  if (v instanceof Set) {
    let sum = 0;
    for (const x of v) sum = (sum + hashValue(x, seed)) | 0;
    return finish(mix(sum, 0x53));
  }
  const o = v as Record<string, unknown>;
  let sum = 0;
  for (const k in o) {
    const x = o[k];
    if (x !== undefined) sum = (sum + finish(mix(hashString(k, seed), hashValue(x, seed ^ 0x27d4eb2f)))) | 0;
  }
  return finish(mix(sum, 0x4f));
}

const pageHashes = new WeakMap<PageBuf, { seq: number; a: number; b: number }>();

/** Both lanes of a page's content hash; [0, 0] for an all-zero page. */
function pageHash(buf: PageBuf): [number, number] {
  const hit = pageHashes.get(buf);
  if (hit && hit.seq === buf.seq) return [hit.a, hit.b];
  const words = new Uint32Array(buf.data.buffer, buf.data.byteOffset, buf.data.byteLength >>> 2);
  let a = SEED_A;
  let b = SEED_B;
  let any = 0;
  for (let i = 0; i < words.length; i++) {
    const x = words[i];
    any |= x;
    a = mix(a, x ^ i);
    b = mix(b, x + i);
  }
  const r: [number, number] = any === 0 ? [0, 0] : [finish(a), finish(b)];
  pageHashes.set(buf, { seq: buf.seq, a: r[0], b: r[1] });
  return r;
}

function framesHash(pool: FramePool, seed: number, lane: 0 | 1): number {
  let sum = 0;
  for (const [pfn, buf] of pool.bytes) {
    const h = pageHash(buf)[lane];
    if (h !== 0) sum = (sum + finish(mix(hashValue(pfn, seed), h))) | 0;
  }
  return finish(mix(mix(mix(sum, hashValue(pool.owner, seed)), hashValue(pool.free, seed)), pool.next));
}

function lane(w: World, seed: number, which: 0 | 1): number {
  const { frames, stats: _stats, ...rest } = w;
  return finish(mix(hashValue(rest, seed), framesHash(frames, seed, which)));
}

/** The state's fingerprint as [hi, lo] 32-bit halves. */
export function fingerprint(w: World): [number, number] {
  return [lane(w, SEED_A, 0) >>> 0, lane(w, SEED_B, 1) >>> 0];
}

/** Fingerprint halves as one bigint, for display. */
export function fingerprintBig(fp: [number, number]): bigint {
  return (BigInt(fp[0]) << 32n) | BigInt(fp[1]);
}
