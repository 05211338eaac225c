/**
 * Planted violations for the conservation properties: each counter the kernel keeps for a
 * resource is corrupted behind the model's back, as a design that forgets one line would, and
 * the property stating its definition must catch it; on the unplanted worlds every property holds.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkProperties, propertyNamed } from '../../properties/index.js';
import { everythingClosed } from '../../properties/teardown-complete.js';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { allocFrame } from '../../src/memory/frames.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { e, HVA, map, ok, setupWorld, unmap } from '../support/fixture.js';
import { pte, rpcit, BUF, IOVA, s390World } from '../s390/fixture.js';

const only = (w: World, name: string) => checkProperties(w, [propertyNamed(name)!]).map((v) => v.message);

describe('dma-avail-accounting', () => {
  const maps = fc.uniqueArray(fc.nat(15), { minLength: 1, maxLength: 6 });

  it.prop([maps, fc.nat(5)])('should hold through maps and unmaps, and catch one entry lost or given twice', (iovas, unmaps) => {
    const w = setupWorld();
    for (const i of iovas) ok(w, map(i, 1, i));
    for (const i of iovas.slice(0, unmaps)) ok(w, unmap(i, 1));
    expect(only(w, 'dma-avail-accounting')).toEqual([]);
    const t1 = w.containers.get('c0')!.iommu!;
    const live = t1.dmas.length;
    t1.dmaAvail--;
    expect(only(w, 'dma-avail-accounting')).toEqual([`container c0 has dma_avail ${65534 - live} but dma_entry_limit 65535 less ${live} vfio_dmas is ${65535 - live}`]);
    t1.dmaAvail += 2;
    expect(only(w, 'dma-avail-accounting')).toHaveLength(1);
  });

  it('should catch a vfio_dma unlinked without its entry back', () => {
    const w = setupWorld();
    ok(w, map(0, 1, 0));
    w.containers.get('c0')!.iommu!.dmas.pop();
    expect(only(w, 'dma-avail-accounting')).toEqual(['container c0 has dma_avail 65534 but dma_entry_limit 65535 less 0 vfio_dmas is 65535']);
  });
});

/** A POWER host: container c0 with group gA, 16 pages preregistered, TCEs mapped at IOBA pages `iobas`; a KVM TCE table. */
function spaprWorld(iobas: number[]): World {
  const w = emptyWorld();
  const events: ModelEvent[] = [
    ev('host.boot', { arch: 'ppc64' }),
    ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
    ev('host.pci.device.add', { device: 'a0', group: 'gA' }),
    ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x10000n }),
    ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    ev('vmm.vfio.group.open', { group: 'gA', mm: 'qemu' }),
    ev('vmm.vfio.group.set_container', { group: 'gA', container: 'c0' }),
    ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
    ev('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr: HVA, size: 0x10000n }),
    ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't', liobn: 0x8000_0000n, pageShift: 12, offset: 0n, size: 0x40000n }),
    ...iobas.map((i) => ev('vmm.vfio.dma.map', { container: 'c0', iova: BigInt(i) << 12n, vaddr: HVA + (BigInt(i % 16) << 12n), size: 0x1000n })),
  ];
  for (const x of events) ok(w, x);
  return w;
}

describe('spapr-accounting', () => {
  const iobas = fc.uniqueArray(fc.nat(63), { minLength: 1, maxLength: 8 });

  it.prop([iobas])('should hold on real maps and catch a mapped count off by one', (is) => {
    const w = spaprWorld(is);
    expect(checkProperties(w)).toEqual([]);
    const r = w.mms.get('qemu')!.iommuMem[0];
    expect(r.mapped).toBe(is.length);
    r.mapped--;
    expect(only(w, 'spapr-accounting')).toEqual([`qemu's region at vaddr page ${Number(HVA >> 12n)} has mapped ${is.length - 1} but ${is.length} TCEs point into it`]);
  });

  it('should catch a used count that disagrees with the containers referencing the region', () => {
    const w = spaprWorld([0]);
    const r = w.mms.get('qemu')!.iommuMem[0];
    expect(r.used).toBe(1);
    r.used = 2;
    expect(only(w, 'spapr-accounting')).toEqual([`qemu's region at vaddr page ${Number(HVA >> 12n)} has used 2 but 1 containers reference it`]);
  });

  it('should catch a window and a KVM table charged the wrong size', () => {
    const w = spaprWorld([0]);
    const win = w.containers.get('c0')!.spapr!.windows[0]!;
    (win as { charged: number }).charged = win.charged - 1;
    const t = w.tceTables.get('t')!;
    (t as { charged: number }).charged = t.charged + 1;
    expect(only(w, 'spapr-accounting')).toEqual([
      'container c0 window 0 charged 511 pages for a table of 512',
      `KVM TCE table t charged ${t.charged} pages where kvmppc_stt_pages gives ${t.charged - 1}`,
    ]);
  });
});

describe('kvm-pin-accounting', () => {
  function shadowed(): World {
    const w = s390World('kvm-shadow');
    ok(w, pte(0, BUF));
    ok(w, rpcit(IOVA, 0x1000n));
    expect(checkProperties(w)).toEqual([]);
    return w;
  }

  it('should catch a pin whose frame no longer backs its guest page', () => {
    const w = shadowed();
    const f = w.zpci.get('zpci0')!;
    const [iovaPage, s] = [...f.shadow][0];
    f.shadow.set(iovaPage, { ...s, pfn: allocFrame(w.frames, 'anon:qemu') });
    expect(only(w, 'kvm-pin-accounting')).toEqual([expect.stringMatching(/^VM vm0's zPCI zpci0 shadow entry pins frame 0x[0-9a-f]+ for guest page 0x200, which no longer backs it$/)]);
  });

  it('should catch pins kept for a guest page no memslot holds, and pins of a destroyed VM', () => {
    const w = shadowed();
    const vm = w.vms.get('vm0')!;
    const slots = vm.slots;
    vm.slots = [];
    expect(only(w, 'kvm-pin-accounting').every((m) => m.endsWith('which no memslot holds'))).toBe(true);
    vm.slots = slots;
    vm.lc = 'destroyed';
    expect(only(w, 'kvm-pin-accounting').length).toBeGreaterThan(0);
    expect(only(w, 'kvm-pin-accounting').every((m) => m.endsWith('but the VM is destroyed'))).toBe(true);
  });
});

describe('teardown-complete once everything is closed', () => {
  function closedWorld(): World {
    const w = setupWorld();
    ok(w, map(0, 1, 0));
    for (const x of [
      e('vmm.vfio.device.close', { fd: 'f0' }),
      e('vmm.vfio.group.close', { group: 'g7' }),
      e('vmm.vfio.container.close', { container: 'c0' }),
      e('vmm.kvm.close_vm', { vm: 'vm0' }),
    ]) ok(w, x);
    expect(everythingClosed(w)).toBe(true);
    expect(checkProperties(w)).toEqual([]);
    return w;
  }

  it('should catch a pin, a charge and a domain left behind', () => {
    const w = closedWorld();
    const pfn = w.mms.get('qemu')!.pages.values().next().value!;
    w.pins.set(pfn, 1);
    expect(only(w, 'teardown-complete')).toContain(`everything is closed but frame 0x${pfn.toString(16)} is still pinned 1 times`);
    w.pins.set(pfn, 0);
    w.mms.get('qemu')!.lockedVm = 2;
    expect(only(w, 'teardown-complete')).toContain('everything is closed but mm qemu still has locked_vm 2');
  });

  it('should not apply while anything is open', () => {
    const w = setupWorld();
    expect(everythingClosed(w)).toBe(false);
  });
});
