/**
 * MAP_DMA that fails part-way (vfio_pin_map_dma): the vfio_dma is linked first and grows one
 * physically contiguous chunk at a time; a chunk over RLIMIT_MEMLOCK or on an unmapped page
 * removes it with every chunk mapped before, and dma_avail, locked_vm and the pins come back.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkProperties } from '../../properties/index.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { opsOf, registerDesign } from '../../src/index.js';
import { vtdTranslate } from '../../src/iommu/vtd/table.js';
import { e, HVA, map, ok, setupWorld } from '../support/fixture.js';

const touch = (vpage: number) => e('vmm.mem.write', { mm: 'qemu', hva: HVA + (BigInt(vpage) << 12n), data: Uint8Array.of(1) });

/** Records what each chunk mapped, and whether the vfio_dma was linked when it did (through the public API). */
const seen: { pages: number; linked: boolean; dmaAvail: number }[] = [];
registerDesign({
  name: 'test-partial-map-recorder',
  description: 'the reference type1 with each chunk it maps recorded',
  ops: {
    vfio_iommu_type1: {
      iommu_map: (base) => (w, t1, dma, pfns) => {
        seen.push({ pages: pfns.length, linked: t1.dmas.includes(dma), dmaAvail: t1.dmaAvail });
        base(w, t1, dma, pfns);
      },
    },
  },
});

describe('MAP_DMA failing part-way', () => {
  it('should map a first chunk, fail the second on RLIMIT_MEMLOCK, and give everything back', () => {
    const w = setupWorld(1);
    w.design = 'test-partial-map-recorder';
    // page 1 faults in before page 0, so their frames are not contiguous: two chunks.
    ok(w, touch(1));
    ok(w, touch(0));
    seen.length = 0;
    expect(applyEvent(w, map(0, 2, 0)).code).toBe('ENOMEM');
    expect(seen).toEqual([{ pages: 1, linked: true, dmaAvail: 65534 }]);
    const t1 = w.containers.get('c0')!.iommu!;
    expect(t1.dmas).toEqual([]);
    expect(t1.dmaAvail).toBe(65535);
    expect(w.mms.get('qemu')!.lockedVm).toBe(0);
    expect([...w.pins.values()].every((n) => n === 0)).toBe(true);
    expect(vtdTranslate(w.frames, w.domains.get(t1.domain)!.root, 0)).toBeUndefined();
    expect(checkProperties(w)).toEqual([]);
  });

  it('should fail a contiguous range in its one chunk, with nothing mapped', () => {
    const w = setupWorld(1);
    w.design = 'test-partial-map-recorder';
    ok(w, touch(0));
    ok(w, touch(1));
    seen.length = 0;
    expect(applyEvent(w, map(0, 2, 0)).code).toBe('ENOMEM');
    expect(seen).toEqual([]);
    expect(w.containers.get('c0')!.iommu!.dmaAvail).toBe(65535);
  });

  it.prop([fc.array(fc.nat(7), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 })])(
    'should leave no pin, charge, entry or budget behind whatever order pages faulted in and wherever the limit falls',
    (order, pages, limit) => {
      const w = setupWorld(limit);
      for (const v of order) ok(w, touch(v));
      const before = { locked: w.mms.get('qemu')!.lockedVm, avail: w.containers.get('c0')!.iommu!.dmaAvail };
      const code = applyEvent(w, map(0, pages, 0)).code;
      expect(code).toBe(pages > limit ? 'ENOMEM' : 'OK');
      const t1 = w.containers.get('c0')!.iommu!;
      if (code !== 'OK') {
        expect(t1.dmas).toEqual([]);
        expect(t1.dmaAvail).toBe(before.avail);
        expect(w.mms.get('qemu')!.lockedVm).toBe(before.locked);
        for (let p = 0; p < pages; p++) expect(vtdTranslate(w.frames, w.domains.get(t1.domain)!.root, p)).toBeUndefined();
      } else {
        expect(t1.dmas[0].pages).toBe(pages);
        expect(t1.dmas[0].pfns).toHaveLength(pages);
      }
      expect(checkProperties(w)).toEqual([]);
    },
  );

  it('should keep the unwind a design forgets visible: a failure path that leaks the entry breaks dma-avail-accounting', () => {
    registerDesign({
      name: 'test-partial-map-leak',
      description: 'MAP_DMA failure unlinks the vfio_dma without vfio_remove_dma',
      ops: {
        vfio_iommu_type1: {
          remove_dma: () => (w, t1, dma) => {
            // the rewritten removal: unmap and unpin, unlink, but dma_avail is not given back.
            opsOf(w).vfio_iommu_type1.unmap_unpin(w, t1, dma);
            t1.dmas.splice(t1.dmas.indexOf(dma), 1);
          },
        },
      },
    });
    const w = setupWorld(1);
    w.design = 'test-partial-map-leak';
    ok(w, touch(1));
    ok(w, touch(0));
    expect(applyEvent(w, map(0, 2, 0)).code).toBe('ENOMEM');
    expect(checkProperties(w).map((v) => v.property)).toEqual(['dma-avail-accounting']);
  });
});
