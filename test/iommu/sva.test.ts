/**
 * The sva-pri design: page requests fault pages in, the mmu notifier invalidates the device's
 * cached translations before a page moves, and nothing is ever pinned.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { ModelEvent } from '../../src/events/types.js';
import type { World } from '../../src/model/world.js';
import { applyChecked } from '../support/checked.js';
import { e, err, HVA, ok, setupWorld } from '../support/fixture.js';

const P = 4;
const va = (p: number) => HVA + (BigInt(p) << 12n);

function svaWorld(): World {
  const w = setupWorld();
  ok(w, e('vmm.vfio.device.bind_sva', { fd: 'f0' }));
  return w;
}

describe('SVA binding', () => {
  it('should raise one page request per page not present, and none for present or cached pages', () => {
    const w = svaWorld();
    ok(w, e('vmm.mem.write', { mm: 'qemu', hva: va(0), data: Uint8Array.of(9) }));
    ok(w, e('device.dma.read', { device: 'nic0', iova: va(0), len: 1 }));
    expect(w.stats.pageRequests).toBe(0);
    ok(w, e('device.dma.write', { device: 'nic0', iova: va(1) + 0xffen, data: Uint8Array.of(1, 2, 3, 4) }));
    expect(w.stats.pageRequests).toBe(2);
    ok(w, e('device.dma.read', { device: 'nic0', iova: va(1) + 0xffen, len: 4 }));
    expect(w.stats.pageRequests).toBe(2);
    expect(w.pins.size).toBe(0);
  });

  it('should fault outside every VMA and change nothing', () => {
    const w = svaWorld();
    err(w, 'IOMMU_FAULT_NOT_PRESENT', e('device.dma.write', { device: 'nic0', iova: HVA + 0x10_0000n - 1n, data: Uint8Array.of(1, 2) }));
    expect(w.mms.get('qemu')!.pages.size).toBe(0);
    expect(w.devices.get('nic0')!.sva!.atc.size).toBe(0);
  });

  it('should refuse where the kernel would', () => {
    const w = setupWorld();
    err(w, 'EINVAL', e('vmm.vfio.device.unbind_sva', { fd: 'f0' }));
    ok(w, e('vmm.vfio.device.bind_sva', { fd: 'f0' }));
    err(w, 'EBUSY', e('vmm.vfio.device.bind_sva', { fd: 'f0' }));
    ok(w, e('vmm.vfio.device.close', { fd: 'f0' }));
    expect(w.devices.get('nic0')!.sva).toBeUndefined();
    err(w, 'EBADF', e('vmm.vfio.device.bind_sva', { fd: 'f0' }));
  });

  const op = fc.oneof(
    fc.record({ k: fc.constantFrom('dwrite' as const, 'cwrite' as const), p: fc.nat(P - 1), b: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ k: fc.constantFrom('dread' as const, 'migrate' as const), p: fc.nat(P - 1) }),
  );

  it.prop([fc.array(op, { maxLength: 40 })])('should never let the device reach a moved page: reads always see the last write', (ops) => {
    const w = svaWorld();
    const mem = new Map<number, number>();
    for (const o of ops) {
      let ev: ModelEvent;
      if (o.k === 'dwrite') ev = e('device.dma.write', { device: 'nic0', iova: va(o.p), data: Uint8Array.of(o.b) });
      else if (o.k === 'cwrite') ev = e('vmm.mem.write', { mm: 'qemu', hva: va(o.p), data: Uint8Array.of(o.b) });
      else if (o.k === 'dread') ev = e('device.dma.read', { device: 'nic0', iova: va(o.p), len: 1 });
      else ev = e('host.mm.migrate', { mm: 'qemu', hva: va(o.p) });
      const { outcome, violations } = applyChecked(w, ev);
      expect(violations).toEqual([]);
      if (o.k === 'dwrite' || o.k === 'cwrite') mem.set(o.p, o.b);
      else if (o.k === 'dread') expect(outcome.data).toEqual(Uint8Array.of(mem.get(o.p) ?? 0));
      else expect(outcome.code).toBe(w.mms.get('qemu')!.pages.has(o.p + Number(HVA >> 12n)) ? 'OK' : 'ENOENT');
    }
    expect(w.pins.size).toBe(0);
  });
});
