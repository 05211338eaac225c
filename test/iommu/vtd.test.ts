import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { readU64 } from '../../src/memory/bits.js';
import { allocFrame, emptyPool, frameForRead, frameForWrite } from '../../src/memory/frames.js';
import { vtdIndex } from '../../src/iommu/vtd/layout.js';
import { vtdLeaves, vtdMap, vtdTranslate, vtdUnmap } from '../../src/iommu/vtd/table.js';

describe('VT-d second-stage table bytes', () => {
  it('should store a 4 KiB leaf as little-endian pfn<<12 | W | R at the PT index of the IOVA', () => {
    const pool = emptyPool();
    const root = allocFrame(pool, 't');
    const tables: number[] = [];
    const iovaPage = 0x123456789; // IOVA 0x123456789000, indices 0x24/0xd1/0xb3/0x189
    vtdMap(pool, root, iovaPage, 0xabcde, true, true, 't', tables);
    expect([4, 3, 2, 1].map((l) => vtdIndex(iovaPage, l))).toEqual([0x24, 0xd1, 0xb3, 0x189]);
    expect(tables.length).toBe(3);
    const leafTable = frameForRead(pool, tables[2]);
    const off = 0x189 * 8;
    expect([...leafTable.subarray(off, off + 8)]).toEqual([0x03, 0xe0, 0xcd, 0xab, 0, 0, 0, 0]);
    // the root entry points at the level-3 table with R|W.
    expect(readU64(frameForRead(pool, root), 0x24 * 8, 'le')).toBe((BigInt(tables[0]) << 12n) | 3n);
  });

  it.prop([fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 2 ** 36 - 1 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom(1, 2, 3)), { selector: (t) => t[0], maxLength: 30 }), fc.nat()])(
    'should translate exactly what was mapped, and nothing after unmap',
    (maps, drop) => {
      const pool = emptyPool();
      const root = allocFrame(pool, 't');
      const tables: number[] = [];
      for (const [page, pfn, perm] of maps) vtdMap(pool, root, page, pfn, (perm & 1) !== 0, (perm & 2) !== 0, 't', tables);
      for (const [page, pfn, perm] of maps) expect(vtdTranslate(pool, root, page)).toEqual({ pfn, read: (perm & 1) !== 0, write: (perm & 2) !== 0 });
      expect(vtdLeaves(pool, root).map((l) => l.iovaPage).sort((a, b) => a - b)).toEqual(maps.map((m) => m[0]).sort((a, b) => a - b));
      if (maps.length) {
        const [page] = maps[drop % maps.length];
        vtdUnmap(pool, root, page);
        expect(vtdTranslate(pool, root, page)).toBeUndefined();
        expect(vtdLeaves(pool, root).length).toBe(maps.length - 1);
      }
    },
  );
});

describe('vtdLeaves scan cache', () => {
  /** The leaves by a direct, uncached read of every entry's bytes. */
  function reference(pool: ReturnType<typeof emptyPool>, root: number): string[] {
    const out: string[] = [];
    const walk = (table: number, level: number, base: number, perm: bigint) => {
      const bytes = frameForRead(pool, table);
      for (let i = 0; i < 512; i++) {
        const e = readU64(bytes, i * 8, 'le');
        if ((e & 3n) === 0n) continue;
        const next = Number((e >> 12n) & ((1n << 40n) - 1n));
        // VT-d ANDs permissions over the levels; a leaf left with neither R nor W translates nothing.
        if (level === 1) {
          if ((e & perm) !== 0n) out.push(`${base + i}:${next}:${e & perm}`);
        } else walk(next, level - 1, (base + i) * 512, perm & e & 3n);
      }
    };
    walk(root, 4, 0, 3n);
    return out.sort();
  }

  it.prop([fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2047 }), fc.integer({ min: 1, max: 99 }), fc.boolean()), { maxLength: 60 })])(
    'should always equal a fresh read of the bytes, including after writes that bypass the table code',
    (ops) => {
      const pool = emptyPool();
      const root = allocFrame(pool, 't');
      const tables: number[] = [];
      for (const [mapIt, page, pfn, scribble] of ops) {
        if (mapIt) vtdMap(pool, root, page, pfn, true, pfn % 2 === 0, 't', tables);
        else vtdUnmap(pool, root, page);
        // a stray write (e.g. a device DMA into a table frame) must invalidate the cache too.
        if (scribble && tables.length) frameForWrite(pool, tables[pfn % tables.length])[(page % 512) * 8] ^= 1;
        const got = vtdLeaves(pool, root).map((l) => `${l.iovaPage}:${l.t.pfn}:${(l.t.read ? 1 : 0) | (l.t.write ? 2 : 0)}`).sort();
        expect(got).toEqual(reference(pool, root));
      }
    },
  );
});
