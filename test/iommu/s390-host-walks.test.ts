import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { readHostPte, readHostPtes, S390_HOST_FORMAT, setDomainPte } from '../../src/iommu/s390/host-table.js';
import { validPte, ZPCI_PTE_INVALID } from '../../src/iommu/s390/layout.js';
import { clonePool, emptyPool, type FramePool } from '../../src/memory/frames.js';
import { FrameUndo } from '../../src/memory/frame-journal.js';

const FIRST = 2 ** 20;

/** Entry by entry, the way readHostPtes must read them whatever it remembers of earlier walks. */
const oneByOne = (pool: FramePool, root: number, count: number) => Array.from({ length: count }, (_, k) => readHostPte(pool, root, FIRST + k));

describe('s390 host-table walks (readHostPtes remembered, leaves)', () => {
  it.prop([fc.array(fc.record({ page: fc.nat({ max: 300 }), valid: fc.boolean(), pfn: fc.integer({ min: 0x100, max: 0xfffff }), undo: fc.boolean() }), { maxLength: 40 })])(
    'should read what the table holds after writes, clones and undone writes, never a walk it remembers from before',
    (writes) => {
      let pool = emptyPool();
      const dom = { id: 'd', root: S390_HOST_FORMAT.newRoot(pool, 'iommu:d'), tables: [] as number[] };
      const j = new FrameUndo();
      for (const w of writes) {
        expect(readHostPtes(pool, dom.root, FIRST, 300)).toEqual(oneByOne(pool, dom.root, 300));
        if (w.undo) j.begin(pool);
        setDomainPte(pool, dom, FIRST + w.page, w.valid ? validPte(BigInt(w.pfn) << 12n, false) : ZPCI_PTE_INVALID);
        expect(readHostPtes(pool, dom.root, FIRST, 300)).toEqual(oneByOne(pool, dom.root, 300));
        if (w.undo) j.undo();
        else pool = clonePool(pool);
      }
      expect(readHostPtes(pool, dom.root, FIRST, 300)).toEqual(oneByOne(pool, dom.root, 300));
    },
  );

  /** Every present leaf of the first 301 IOVA pages, page by page through translate (no walk remembered). */
  const leafByLeaf = (pool: FramePool, root: number) =>
    Array.from({ length: 301 }, (_, k) => ({ iovaPage: FIRST + k, t: S390_HOST_FORMAT.translate(pool, root, FIRST + k) })).filter((l) => l.t !== undefined);

  it.prop([fc.array(fc.record({ page: fc.nat({ max: 300 }), valid: fc.boolean(), pfn: fc.integer({ min: 0x100, max: 0xfffff }), ro: fc.boolean(), undo: fc.boolean() }), { maxLength: 40 })])(
    'should list the leaves the table holds after writes, clones and undone writes, as translate finds them page by page',
    (writes) => {
      let pool = emptyPool();
      const dom = { id: 'd', root: S390_HOST_FORMAT.newRoot(pool, 'iommu:d'), tables: [] as number[] };
      const j = new FrameUndo();
      for (const w of writes) {
        expect(S390_HOST_FORMAT.leaves(pool, dom.root)).toEqual(leafByLeaf(pool, dom.root));
        if (w.undo) j.begin(pool);
        setDomainPte(pool, dom, FIRST + w.page, w.valid ? validPte(BigInt(w.pfn) << 12n, w.ro) : ZPCI_PTE_INVALID);
        expect(S390_HOST_FORMAT.leaves(pool, dom.root)).toEqual(leafByLeaf(pool, dom.root));
        if (w.undo) j.undo();
        else pool = clonePool(pool);
      }
      expect(S390_HOST_FORMAT.leaves(pool, dom.root)).toEqual(leafByLeaf(pool, dom.root));
    },
  );
});
