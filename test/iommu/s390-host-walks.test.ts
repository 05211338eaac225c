import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { readHostPte, readHostPtes, S390_HOST_FORMAT, setDomainPte } from '../../src/iommu/s390/host-table.js';
import { px, rtx, sx, validPte, ZPCI_PTE_ADDR_MASK, ZPCI_PTE_INVALID, ZPCI_RTE_ADDR_MASK, ZPCI_STE_ADDR_MASK, ZPCI_TABLE_PROTECTED } from '../../src/iommu/s390/layout.js';
import { clonePool, emptyPool, type FramePool } from '../../src/memory/frames.js';
import { readPhysU64, writePhysU64 } from '../../src/memory/phys.js';
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

  /**
   * The walk in u64 bigints, straight from the layout (kernel-facts §1.3): the host PTE's address,
   * or undefined where a region or segment entry is not a valid one of its type.
   */
  const ptePa = (pool: FramePool, root: number, page: number): bigint | undefined => {
    const iova = BigInt(page) << 12n;
    const rte = readPhysU64(pool, (BigInt(root) << 12n) + BigInt(rtx(iova)) * 8n, 'be');
    if ((rte & 0x20n) !== 0n || (rte & 0xcn) !== 0x4n) return undefined;
    const ste = readPhysU64(pool, (rte & ZPCI_RTE_ADDR_MASK) + BigInt(sx(iova)) * 8n, 'be');
    if ((ste & 0x20n) !== 0n || (ste & 0xcn) !== 0n) return undefined;
    return (ste & ZPCI_STE_ADDR_MASK) + BigInt(px(iova)) * 8n;
  };
  // pages under two segment entries of one region entry, and the last region entry's last page.
  const pages = [FIRST, FIRST + 1, FIRST + 255, FIRST + 256, FIRST + 300, 2 ** 30 - 1];
  const u64 = fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.bigInt({ min: 0n, max: 0xffffffffn }),
    // a pointer at or past 4 GiB with the type bits of a valid entry: the halves walk hands over.
    fc.tuple(fc.bigInt({ min: 1n, max: 0xfffffn }), fc.constantFrom(0x0n, 0x4n, 0x7n, 0x200n)).map(([hi, lo]) => (hi << 32n) | lo),
  );
  // an entry is raw bits, or a frame the pool holds with type and protection bits, under a high half (0: the frame itself).
  const entry = fc.oneof(u64.map((raw) => () => raw), fc.record({ hi: fc.bigInt({ min: 0n, max: 0xfffffn }), frame: fc.nat(), bits: fc.constantFrom(0x0n, 0x4n, 0x7n, 0x20n, 0x200n, 0x400n) }).map(({ hi, frame, bits }) => (owned: number[]) => (hi << 32n) | (BigInt(owned[frame % owned.length]) << 12n) | bits));
  const rewrites = fc.array(fc.record({ page: fc.constantFrom(...pages), level: fc.constantFrom('rte', 'ste', 'pte'), value: entry }), { maxLength: 12 });

  it.prop([writes, rewrites])('should read any entry bytes in 32-bit halves exactly as the u64 walk does (readHostPte, translate)', (list, raw) => {
    const pool = emptyPool();
    const dom = { id: 'd', root: S390_HOST_FORMAT.newRoot(pool, 'iommu:d'), tables: [] as number[] };
    for (const w of list) setDomainPte(pool, dom, FIRST + w.page, w.valid ? validPte(BigInt(w.pfn) << 12n, w.ro) : ZPCI_PTE_INVALID);
    for (const page of pages) setDomainPte(pool, dom, page, validPte(0x123000n, false));
    // then whatever a buggy or hostile writer leaves in any level of the walk.
    const owned = [...pool.owner.keys()];
    for (const r of raw) {
      const iova = BigInt(r.page) << 12n;
      const at = r.level === 'rte' ? (BigInt(dom.root) << 12n) + BigInt(rtx(iova)) * 8n
        : r.level === 'ste' ? ((readPhysU64(pool, (BigInt(dom.root) << 12n) + BigInt(rtx(iova)) * 8n, 'be') & ZPCI_RTE_ADDR_MASK) + BigInt(sx(iova)) * 8n)
        : ptePa(pool, dom.root, r.page);
      // only entries in frames the pool holds (a pointer past them reads zeros, as the walk does).
      if (at !== undefined && at < 1n << 32n && pool.owner.has(Number(at >> 12n))) writePhysU64(pool, at, r.value(owned), 'be');
    }
    for (const page of [...pages, FIRST + 2, FIRST + 257]) {
      const pa = ptePa(pool, dom.root, page);
      const pte = pa === undefined ? undefined : readPhysU64(pool, pa, 'be');
      expect(readHostPte(pool, dom.root, page), `page ${page}`).toBe(pte);
      const t = S390_HOST_FORMAT.translate(pool, dom.root, page);
      expect(t, `page ${page}`).toEqual(pte === undefined || (pte & ZPCI_PTE_INVALID) !== 0n ? undefined : { pfn: Number((pte & ZPCI_PTE_ADDR_MASK) >> 12n), read: true, write: (pte & ZPCI_TABLE_PROTECTED) === 0n });
    }
  });
});
