/**
 * What the properties read of a world, computed at most once per check: every domain with its
 * valid translations, read from the table bytes. Several properties need the same walk.
 */
import { FORMATS } from '../src/iommu/formats.js';
import type { Leaf } from '../src/iommu/format.js';
import type { Container, Domain, World } from '../src/model/world.js';

export interface DomainLeaves {
  readonly domain: Domain;
  readonly container: Container | undefined;
  readonly leaves: readonly Leaf[];
}

export class WorldView {
  private leavesCache?: DomainLeaves[];

  constructor(readonly w: World) {}

  /** Every domain with its present leaf entries. */
  domainLeaves(): DomainLeaves[] {
    this.leavesCache ??= [...this.w.domains.values()].map((domain) => ({
      domain,
      container: this.w.containers.get(domain.container),
      leaves: FORMATS[domain.format].leaves(this.w.frames, domain.root),
    }));
    return this.leavesCache;
  }
}
