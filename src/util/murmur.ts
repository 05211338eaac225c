/**
 * The 32-bit mixing steps of MurmurHash3 (a round and the finalizer), shared by the state
 * fingerprint (check/fingerprint.ts) and the running hash of a frame pool's owners
 * (memory/owner-sum.ts). Pure.
 */

/** One round: `k` mixed into the running hash `h`. */
export function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The finalizer: every input bit reaches every output bit. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** A string's hash under `seed`: its length, then each UTF-16 unit, mixed in. */
export function hashString(s: string, seed: number): number {
  let h = seed ^ s.length;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return finish(h);
}
