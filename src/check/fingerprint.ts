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
// Both lanes' seeds move in lockstep, so lane A's seed names the pair.
const memoBySeed = new Map<number, Map<string, [number, number]>>();

/** The pair result of the last hashPair call (two registers, so the hot path allocates nothing). */
let outA = 0;
let outB = 0;

function stringPair(s: string, sa: number, sb: number): void {
  if (s.length > 64) {
    outA = hashStringRaw(s, sa);
    outB = hashStringRaw(s, sb);
    return;
  }
  let memo = memoBySeed.get(sa);
  if (memo === undefined) memoBySeed.set(sa, (memo = new Map()));
  let h = memo.get(s);
  if (h === undefined) {
    if (memo.size > 50_000) memo.clear();
    memo.set(s, (h = [hashStringRaw(s, sa), hashStringRaw(s, sb)]));
  }
  outA = h[0];
  outB = h[1];
}

/**
 * Hashes any JSON-like model value (numbers, strings, bigints, arrays, maps, sets, records) in
 * both lanes at once, one traversal for the two independent 32-bit halves; the result is left in
 * outA/outB.
 */
function hashPair(v: unknown, sa: number, sb: number): void {
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
        outA = finish(mix(sa, v | 0));
        outB = finish(mix(sb, v | 0));
      } else stringPair('n' + v, sa, sb);
      return;
    case 'string':
      stringPair(v, sa + 1, sb + 1);
      return;
    case 'bigint':
      stringPair('b' + v.toString(16), sa, sb);
      return;
    case 'boolean':
      outA = finish(mix(sa, v ? 0x51 : 0x50));
      outB = finish(mix(sb, v ? 0x51 : 0x50));
      return;
    case 'undefined':
      outA = outB = 0;
      return;
  }
  if (v === null) {
    outA = outB = 0;
    return;
  }
  if (Array.isArray(v)) {
    let ha = sa ^ 0x4a;
    let hb = sb ^ 0x4a;
    for (const x of v) {
      hashPair(x, sa, sb);
      ha = mix(ha, outA);
      hb = mix(hb, outB);
    }
    outA = finish(mix(ha, v.length));
    outB = finish(mix(hb, v.length));
    return;
  }
  let suma = 0;
  let sumb = 0;
  if (v instanceof Map) {
    for (const [k, x] of v) {
      if (x === undefined) continue;
      hashPair(k, sa, sb);
      const ka = outA;
      const kb = outB;
      hashPair(x, sa ^ 0x5bd1e995, sb ^ 0x5bd1e995);
      suma = (suma + finish(mix(ka, outA))) | 0;
      sumb = (sumb + finish(mix(kb, outB))) | 0;
    }
    outA = finish(mix(suma, 0x4d));
    outB = finish(mix(sumb, 0x4d));
    return;
  }
  if (v instanceof Set) {
    for (const x of v) {
      hashPair(x, sa, sb);
      suma = (suma + outA) | 0;
      sumb = (sumb + outB) | 0;
    }
    outA = finish(mix(suma, 0x53));
    outB = finish(mix(sumb, 0x53));
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x === undefined) continue;
    stringPair(k, sa, sb);
    const ka = outA;
    const kb = outB;
    hashPair(x, sa ^ 0x27d4eb2f, sb ^ 0x27d4eb2f);
    suma = (suma + finish(mix(ka, outA))) | 0;
    sumb = (sumb + finish(mix(kb, outB))) | 0;
  }
  outA = finish(mix(suma, 0x4f));
  outB = finish(mix(sumb, 0x4f));
}

/** Both 32-bit halves of a value's hash (the orbit keys of symmetry reduction use it). */
export function hashValue(v: unknown): [number, number] {
  hashPair(v, SEED_A, SEED_B);
  return [outA >>> 0, outB >>> 0];
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

/** Both lanes of the frame pool's hash: page contents by pfn, owners, the free list, the bump pointer. */
function framesHash(pool: FramePool): [number, number] {
  let suma = 0;
  let sumb = 0;
  for (const [pfn, buf] of pool.bytes) {
    const h = pageHash(buf);
    if (h[0] === 0 && h[1] === 0) continue;
    suma = (suma + finish(mix(finish(mix(SEED_A, pfn)), h[0]))) | 0;
    sumb = (sumb + finish(mix(finish(mix(SEED_B, pfn)), h[1]))) | 0;
  }
  hashPair(pool.owner, SEED_A, SEED_B);
  suma = mix(suma, outA);
  sumb = mix(sumb, outB);
  hashPair(pool.free, SEED_A, SEED_B);
  return [finish(mix(mix(suma, outA), pool.next)), finish(mix(mix(sumb, outB), pool.next))];
}

/** The state's fingerprint as [hi, lo] 32-bit halves. */
export function fingerprint(w: World): [number, number] {
  const { frames, stats: _stats, ...rest } = w;
  const f = framesHash(frames);
  hashPair(rest, SEED_A, SEED_B);
  return [finish(mix(outA, f[0])) >>> 0, finish(mix(outB, f[1])) >>> 0];
}

/** Fingerprint halves as one bigint, for display. */
export function fingerprintBig(fp: [number, number]): bigint {
  return (BigInt(fp[0]) << 32n) | BigInt(fp[1]);
}
