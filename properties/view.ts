/**
 * What the properties read of a world, computed at most once per check: every domain with its
 * valid translations, read from the table bytes. Several properties need the same walk.
 */
import { FORMATS } from '../src/iommu/formats.js';
import type { Leaf } from '../src/iommu/format.js';
import type { Container, Domain, World } from '../src/model/world.js';
import { ALL_FRAMES } from '../src/memory/frames.js';

export interface DomainLeaves {
  readonly domain: Domain;
  readonly container: Container | undefined;
  readonly leaves: readonly Leaf[];
}

export class WorldView {
  private leavesCache?: DomainLeaves[];
  /** The frames the walk read, when a property's reads were being recorded (frames.ts `reads`). */
  private leavesRead?: Set<number>;

  constructor(readonly w: World) {}

  /** Every domain with its present leaf entries. */
  domainLeaves(): DomainLeaves[] {
    const pool = this.w.frames;
    const recording = pool.reads;
    if (this.leavesCache === undefined) {
      // the walk's own reads are kept, so a later property answered from the cache is said to read them too.
      if (recording) pool.reads = this.leavesRead = new Set();
      try {
        this.leavesCache = [...this.w.domains.values()].map((domain) => ({
          domain,
          container: this.w.containers.get(domain.container),
          leaves: FORMATS[domain.format].leaves(pool, domain.root),
        }));
      } finally {
        pool.reads = recording;
      }
    }
    if (recording) {
      // a walk taken while nothing was recorded: every frame may have been read.
      if (this.leavesRead === undefined) recording.add(ALL_FRAMES);
      else for (const pfn of this.leavesRead) recording.add(pfn);
    }
    return this.leavesCache;
  }
}
