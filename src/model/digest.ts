/**
 * A canonical digest of the world: every record serialized with sorted keys, every non-zero frame
 * hashed by content. Statistics are excluded. Identical logs give identical digests; so do logs
 * that reach the same state by different routes.
 */
import { createHash } from 'node:crypto';
import type { World } from './world.js';
import { forEachPage } from '../memory/frames.js';

function canonical(value: unknown): unknown {
  if (value instanceof Map) {
    return [...value.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]);
  }
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'bigint') return '0x' + value.toString(16);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => [k, canonical(o[k])]);
  }
  return value;
}

/** sha256 over the canonical state, as `sha256:<hex>`. Pure. */
export function digest(w: World): string {
  const h = createHash('sha256');
  const { frames, stats: _stats, pageLimit: _limit, ...rest } = w;
  h.update(JSON.stringify(canonical(rest)));
  h.update(JSON.stringify(canonical({ owner: frames.owner, next: frames.next, free: frames.free })));
  const pages: [number, Uint8Array][] = [];
  forEachPage(frames, (pfn, buf) => pages.push([pfn, buf.data]));
  for (const [pfn, data] of pages.sort((a, b) => a[0] - b[0])) {
    if (data.every((b) => b === 0)) continue;
    h.update(`frame ${pfn}:`);
    h.update(data);
  }
  return 'sha256:' + h.digest('hex');
}
