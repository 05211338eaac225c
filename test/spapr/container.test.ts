/** The VFIO sPAPR TCE v2 container: preregistration, windows, MAP/UNMAP into shared tables, per-group caches. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProperties, propertyNamed } from '../../properties/index.js';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { isOutcomeCode } from '../../src/model/codes.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { applyChecked } from '../support/checked.js';
import { ok } from '../support/fixture.js';

const HVA = 0x7f00_0000_0000n;
const run = (w: World, e: ModelEvent) => applyEvent(w, e);
const map = (iova: bigint, vaddr: bigint, size = 0x1000n, flags = 3) => ev('vmm.vfio.dma.map', { container: 'c0', iova, vaddr, size, flags });
const unmap = (iova: bigint, size = 0x1000n) => ev('vmm.vfio.dma.unmap', { container: 'c0', iova, size });
const reg = (vaddr: bigint, size: bigint) => ev('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr, size });
const unreg = (vaddr: bigint, size: bigint) => ev('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr, size });
const dmaRead = (device: string, iova: bigint) => ev('device.dma.read', { device, iova, len: 4 });

/** A POWER host: two groups (gA, gB) with one device each, both in container c0 (sPAPR TCE v2). */
function host(memlockPages = 4096, withB = true): World {
  const w = emptyWorld();
  for (const e of [
    ev('host.boot', { arch: 'ppc64' }),
    ev('host.process.spawn', { mm: 'qemu', memlock: BigInt(memlockPages) * 4096n }),
    ev('host.pci.device.add', { device: 'a0', group: 'gA' }),
    ev('host.pci.device.add', { device: 'b0', group: 'gB' }),
    ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x10_0000n }),
    ev('vmm.mem.write', { mm: 'qemu', hva: HVA + 0x3000n, data: Uint8Array.of(0xab, 0xcd) }),
    ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    ev('vmm.vfio.group.open', { group: 'gA', mm: 'qemu' }),
    ev('vmm.vfio.group.set_container', { group: 'gA', container: 'c0' }),
    ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
    ev('vmm.vfio.group.get_device_fd', { group: 'gA', device: 'a0', fd: 'fa' }),
    ...(withB
      ? [
          ev('vmm.vfio.group.open', { group: 'gB', mm: 'qemu' }),
          ev('vmm.vfio.group.set_container', { group: 'gB', container: 'c0' }),
          ev('vmm.vfio.group.get_device_fd', { group: 'gB', device: 'b0', fd: 'fb' }),
        ]
      : []),
  ]) ok(w, e);
  return w;
}

describe('sPAPR TCE v2 container', () => {
  it('should offer only SPAPR_TCE_v2 on a POWER host', () => {
    const w = emptyWorld();
    for (const e of [ev('host.boot', { arch: 'ppc64' }), ev('host.process.spawn', { mm: 'q' }), ev('host.pci.device.add', { device: 'd', group: 'g' }), ev('vmm.vfio.container.open', { container: 'c', mm: 'q' }), ev('vmm.vfio.group.open', { group: 'g', mm: 'q' }), ev('vmm.vfio.group.set_container', { group: 'g', container: 'c' })]) ok(w, e);
    expect(run(w, ev('vmm.vfio.set_iommu', { container: 'c', iommu: 3 })).code).toBe('ENODEV');
    expect(run(w, ev('vmm.vfio.set_iommu', { container: 'c', iommu: 7 })).code).toBe('OK');
  });

  it('should refuse MAP before preregistration (EPERM), outside any window (ENXIO), and from unregistered memory (EINVAL)', () => {
    const w = host();
    expect(run(w, map(0x1000n, HVA + 0x3000n)).code).toBe('EPERM');
    ok(w, reg(HVA, 0x8000n));
    expect(run(w, map(0x4000_0000n, HVA + 0x3000n)).code).toBe('ENXIO');
    expect(run(w, map(0x1000n, HVA + 0x9000n)).code).toBe('EINVAL');
    expect(run(w, map(0x1000n, HVA + 0x3000n, 0x1000n, 0)).code).toBe('EINVAL');
    expect(run(w, map(0x1000n, HVA + 0x3000n, 0x1000n, 4)).code).toBe('EINVAL');
    expect(run(w, map(0x1800n, HVA + 0x3000n)).code).toBe('EINVAL');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should preregister once (EBUSY again, EINVAL overlapping, ENOMEM over the limit), and keep mapped memory pinned when it is unregistered', () => {
    const w = host(519);
    // the default window's table (512 pages) is charged at the first MAP; 8 pages of memory fit, 520 do not.
    ok(w, reg(HVA, 0x8000n));
    expect(run(w, reg(HVA, 0x8000n)).code).toBe('EBUSY');
    expect(run(w, reg(HVA + 0x4000n, 0x8000n)).code).toBe('EINVAL');
    expect(run(w, map(0x1000n, HVA + 0x3000n)).code).toBe('ENOMEM');
    ok(w, unreg(HVA, 0x8000n));
    expect(run(w, unreg(HVA, 0x8000n)).code).toBe('ENOENT');
    const w2 = host();
    ok(w2, reg(HVA, 0x8000n));
    ok(w2, map(0x1000n, HVA + 0x3000n));
    // since v5.0 the final mm_iommu_put's EBUSY is dropped: 0, the container forgets the region, the process keeps it.
    expect(run(w2, unreg(HVA, 0x8000n)).code).toBe('OK');
    expect(w2.mms.get('qemu')!.iommuMem.map((r) => [r.used, r.mapped])).toEqual([[1, 1]]);
    expect(checkProperties(w2)).toEqual([]);
    ok(w2, unmap(0x1000n));
    expect(run(w2, unreg(HVA, 0x8000n)).code).toBe('ENOENT');
    expect(checkProperties(w2)).toEqual([]);
  });

  it('should let both groups DMA through the shared table, and a kill reach every group', () => {
    const w = host();
    ok(w, reg(HVA, 0x8000n));
    ok(w, map(0x1000n, HVA + 0x3000n));
    expect(run(w, dmaRead('a0', 0x1000n)).data).toEqual(Uint8Array.of(0xab, 0xcd, 0, 0));
    expect(run(w, dmaRead('b0', 0x1000n)).data).toEqual(Uint8Array.of(0xab, 0xcd, 0, 0));
    expect(w.groups.get('gA')!.tceCache.size).toBe(1);
    ok(w, unmap(0x1000n));
    expect(w.groups.get('gA')!.tceCache.size + w.groups.get('gB')!.tceCache.size).toBe(0);
    expect(run(w, dmaRead('b0', 0x1000n)).code).toBe('IOMMU_FAULT_NOT_PRESENT');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should create the dynamic window at 2^59 and remove it', () => {
    const w = host();
    expect(run(w, ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 1n << 24n }))).toEqual({ code: 'OK', value: 1n << 59n });
    expect(run(w, ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 1n << 24n })).code).toBe('ENOSPC');
    expect(run(w, ev('vmm.vfio.spapr.tce_create', { container: 'c0', flags: 1, pageShift: 12, windowSize: 1n << 24n })).code).toBe('EINVAL');
    ok(w, reg(HVA, 0x8000n));
    ok(w, map((1n << 59n) + 0x5000n, HVA + 0x3000n));
    expect(run(w, dmaRead('a0', (1n << 59n) + 0x5000n)).code).toBe('OK');
    expect(run(w, ev('vmm.vfio.spapr.tce_remove', { container: 'c0', startAddr: 1n << 58n })).code).toBe('EINVAL');
    ok(w, ev('vmm.vfio.spapr.tce_remove', { container: 'c0', startAddr: 1n << 59n }));
    expect(run(w, dmaRead('a0', (1n << 59n) + 0x5000n)).code).toBe('IOMMU_FAULT_NOT_PRESENT');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should refuse a page size the host bridge does not support, and an invalid window size', () => {
    const w = host();
    expect(run(w, ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 13, windowSize: 1n << 24n })).code).toBe('EINVAL');
    expect(run(w, ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 3n << 20n })).code).toBe('EINVAL');
  });

  it('should release windows and preregistered memory when the last group leaves', () => {
    const w = host(4096, false);
    ok(w, reg(HVA, 0x8000n));
    ok(w, map(0x1000n, HVA + 0x3000n));
    for (const e of [ev('vmm.vfio.device.close', { fd: 'fa' }), ev('vmm.vfio.group.close', { group: 'gA' }), ev('vmm.vfio.container.close', { container: 'c0' })]) ok(w, e);
    expect(w.mms.get('qemu')!.lockedVm).toBe(0);
    expect([...w.pins.values()].filter((n) => n)).toEqual([]);
    expect(checkProperties(w)).toEqual([]);
  });
});

describe('sPAPR properties catch planted faults', () => {
  it('container-coherence and no-iova-to-unpinned-page should catch a group that kept a stale cached TCE', () => {
    const w = host();
    ok(w, reg(HVA, 0x8000n));
    ok(w, map(0x1000n, HVA + 0x3000n));
    run(w, dmaRead('b0', 0x1000n));
    const stale = new Map(w.groups.get('gB')!.tceCache);
    ok(w, unmap(0x1000n));
    ok(w, unreg(HVA, 0x8000n));
    w.groups.get('gB')!.tceCache = stale; // planted: the kill never reached gB
    const v = checkProperties(w).map((x) => x.property);
    expect(v).toContain('container-coherence');
    expect(v).toContain('no-iova-to-unpinned-page');
  });

  it('tce-window-bounds should catch a window away from its slot', () => {
    const w = host();
    ok(w, ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 1n << 24n }));
    const win = w.containers.get('c0')!.spapr!.windows[1]!;
    w.containers.get('c0')!.spapr!.windows[1] = { ...win, start: 1n << 40n };
    expect(checkProperties(w, [propertyNamed('tce-window-bounds')!]).map((x) => x.message)).toEqual(['c0 window 1 starts at 0x10000000000, not 0x800000000000000']);
  });
});

describe('hostile sPAPR container calls', () => {
  it('should never throw, always give a real code and keep every property', () => {
    const u64 = fc.oneof(fc.integer({ min: 0, max: 40 }).map((p) => BigInt(p) << 12n), fc.integer({ min: 0, max: 40 }).map((p) => HVA + (BigInt(p) << 12n)), fc.constantFrom(1n << 59n, (1n << 59n) + 0x3000n, (1n << 64n) - 0x1000n, 0x4000_0000n));
    const call = fc.oneof(
      fc.tuple(u64, u64, u64, fc.integer({ min: 0, max: 4 })).map(([i, v, s, f]) => map(i, v, s, f)),
      fc.tuple(u64, u64).map(([i, s]) => unmap(i, s)),
      fc.tuple(u64, u64).map(([v, s]) => reg(v, s)),
      fc.tuple(u64, u64).map(([v, s]) => unreg(v, s)),
      fc.tuple(fc.constantFrom(12, 16, 13), fc.constantFrom(1n << 20n, 1n << 24n, 3n << 20n, 0n)).map(([pageShift, windowSize]) => ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift, windowSize })),
      u64.map((startAddr) => ev('vmm.vfio.spapr.tce_remove', { container: 'c0', startAddr })),
      fc.tuple(fc.constantFrom('a0', 'b0'), u64).map(([d, i]) => dmaRead(d, i)),
      fc.integer({ min: 0, max: 40 }).map((p) => ev('host.mm.migrate', { mm: 'qemu', hva: HVA + (BigInt(p) << 12n) })),
    );
    let tried = 0;
    fc.assert(
      fc.property(fc.array(call, { maxLength: 30 }), (calls) => {
        tried++;
        const w = host();
        for (const c of calls) {
          const { outcome, violations } = applyChecked(w, c);
          expect(isOutcomeCode(outcome.code), `${c.type} -> ${outcome.code}`).toBe(true);
          expect(violations, `after ${c.type}`).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
    expect(tried).toBe(200);
  });
});
