/**
 * A frame's owner entry as two 32-bit shares (two independent lanes) of the running hash a frame
 * pool keeps of its owner map (FramePool.ownerA/B, memory/frames.ts): the sum of every entry's
 * share, adjusted at each allocation and free, so the state fingerprint reads two numbers instead
 * of hashing every entry after each move that allocates. A sum, so the map's order (not state)
 * does not count. Pure.
 */
import { finish, hashString, mix } from '../util/murmur.js';

const SEED_A = 0x2545f491;
const SEED_B = 0x6c8e9cf5;

/** Owner names recur (a handful per world): each is hashed once. */
const names = new Map<string, [number, number]>();

function nameHash(owner: string): [number, number] {
  let h = names.get(owner);
  if (h === undefined) {
    // a bound, as for any memo a log's names can grow: dropped and rebuilt, never wrong.
    if (names.size > 10_000) names.clear();
    names.set(owner, (h = [hashString(owner, SEED_A), hashString(owner, SEED_B)]));
  }
  return h;
}

/** Lane A's share of frame `pfn` owned by `owner`. */
export function ownerShareA(pfn: number, owner: string): number {
  return finish(mix(finish(mix(SEED_A, pfn)), nameHash(owner)[0]));
}

/** Lane B's share of frame `pfn` owned by `owner`. */
export function ownerShareB(pfn: number, owner: string): number {
  return finish(mix(finish(mix(SEED_B, pfn)), nameHash(owner)[1]));
}
