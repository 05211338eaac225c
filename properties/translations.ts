/** Shared reading of the host IOMMU tables for the properties: every valid translation, from the bytes. */
import { vtdLeaves, type Translation } from '../src/iommu/vtd/table.js';
import type { Container, Domain, World } from '../src/model/world.js';

export interface DomainLeaves {
  readonly domain: Domain;
  readonly container: Container | undefined;
  readonly leaves: readonly { iovaPage: number; t: Translation }[];
}

/** Every domain with its present leaf entries, read from the table frames. */
export function allLeaves(w: World): DomainLeaves[] {
  return [...w.domains.values()].map((domain) => ({
    domain,
    container: w.containers.get(domain.container),
    leaves: vtdLeaves(w.frames, domain.root),
  }));
}
