import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { readHostPte, readHostPtes, S390_HOST_FORMAT, setDomainPte } from '../../src/iommu/s390/host-table.js';
import { validPte, ZPCI_PTE_INVALID } from '../../src/iommu/s390/layout.js';
import { clonePool, emptyPool, type FramePool } from '../../src/memory/frames.js';
import { FrameUndo } from '../../src/memory/frame-journal.js';

const FIRST = 2 ** 20;

/** Entry by entry, the way readHostPtes must read them whatever it remembers of earlier walks. */
const oneByOne = (pool: FramePool, root: number, count: number) => Array.from({ length: count }, (_, k) => readHostPte(pool, root, FIRST + k));

/** Every present leaf of the first 301 IOVA pages, page by page through translate (no walk remembered). */
const leafByLeaf = (pool: FramePool, root: number) =>
  Array.from({ length: 301 }, (_, k) => ({ iovaPage: FIRST + k, t: S390_HOST_FORMAT.translate(pool, root, FIRST + k) })).filter((l) => l.t !== undefined);

const writes = fc.array(fc.record({ page: fc.nat({ max: 300 }), valid: fc.boolean(), pfn: fc.integer({ min: 0x100, max: 0xfffff }), ro: fc.boolean(), undo: fc.boolean() }), { maxLength: 40 });

/**
 * Writes host PTEs into one domain, each either undone by a journal or kept and the pool cloned,
 * and calls `check` before and after every write and at the end.
 */
function afterWrites(list: { page: number; valid: boolean; pfn: number; ro: boolean; undo: boolean }[], check: (pool: FramePool, root: number) => void): void {
  let pool = emptyPool();
  const dom = { id: 'd', root: S390_HOST_FORMAT.newRoot(pool, 'iommu:d'), tables: [] as number[] };
  const j = new FrameUndo();
  for (const w of list) {
    check(pool, dom.root);
    if (w.undo) j.begin(pool);
    setDomainPte(pool, dom, FIRST + w.page, w.valid ? validPte(BigInt(w.pfn) << 12n, w.ro) : ZPCI_PTE_INVALID);
    check(pool, dom.root);
    if (w.undo) j.undo();
    else pool = clonePool(pool);
  }
  check(pool, dom.root);
}

describe('s390 host-table walks (readHostPtes remembered, leaves)', () => {
  it.prop([writes])('should read what the table holds after writes, clones and undone writes, never a walk it remembers from before', (list) => {
    afterWrites(list, (pool, root) => expect(readHostPtes(pool, root, FIRST, 300)).toEqual(oneByOne(pool, root, 300)));
  });

  it.prop([writes])('should list the leaves the table holds after writes, clones and undone writes, as translate finds them page by page', (list) => {
    afterWrites(list, (pool, root) => expect(S390_HOST_FORMAT.leaves(pool, root)).toEqual(leafByLeaf(pool, root)));
  });
});
