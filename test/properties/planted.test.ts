/**
 * Every property must catch a planted violation of its own kind. The worlds are built by real
 * events; the plant then corrupts one fact behind the model's back, as a buggy design would.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkProperties, notePre, propertyNamed } from '../../properties/index.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { applyChecked } from '../support/checked.js';
import { vtdMap } from '../../src/iommu/vtd/table.js';
import { allocFrame } from '../../src/memory/frames.js';
import { pinFrame } from '../../src/mm/pages.js';
import type { World } from '../../src/model/world.js';
import { e, HVA, map, ok, setupWorld } from '../support/fixture.js';

/** A world with a few random, valid mappings, and one of its pinned frames. */
const mappedWorld = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 })
  .chain((iovas) => fc.record({ iovas: fc.constant(iovas), pick: fc.nat({ max: iovas.length - 1 }) }))
  .map(({ iovas, pick }) => {
    const w = setupWorld(256);
    iovas.forEach((iova, i) => ok(w, map(iova * 2, 2, i * 2)));
    const dma = w.containers.get('c0')!.iommu!.dmas.find((d) => d.iovaPage === iovas[pick] * 2)!;
    return { w, dma, pfn: dma.pfns[0] };
  });

const fired = (w: World) => new Set(checkProperties(w).map((v) => v.property));

describe('planted violations', () => {
  it.prop([mappedWorld])('should hold on the unplanted worlds', ({ w }) => {
    expect(checkProperties(w)).toEqual([]);
  });

  it.prop([mappedWorld])('no-iova-to-unpinned-page should catch a mapped frame whose pin was dropped', ({ w, pfn }) => {
    w.pins.delete(pfn);
    expect(fired(w).has('no-iova-to-unpinned-page')).toBe(true);
    expect(checkProperties(w, [propertyNamed('no-iova-to-unpinned-page')!])[0].message).toMatch(/maps frame 0x[0-9a-f]+ whose pin count is 0/);
  });

  it.prop([mappedWorld])('no-iova-to-unpinned-page should catch a mapped page moved to another frame', ({ w, dma }) => {
    const mm = w.mms.get('qemu')!;
    mm.pages.set(dma.vaddrPage, allocFrame(w.frames, 'anon:qemu'));
    const v = checkProperties(w).filter((x) => x.property === 'no-iova-to-unpinned-page');
    expect(v.length).toBe(1);
    expect(v[0].message).toMatch(/is backed by frame/);
  });

  it('no-iova-to-unpinned-page should catch a translation no vfio_dma accounts for', () => {
    const w = setupWorld();
    const dom = w.domains.get(w.containers.get('c0')!.iommu!.domain)!;
    const pfn = allocFrame(w.frames, 'anon:qemu');
    pinFrame(w, pfn);
    vtdMap(w.frames, dom.root, 0x99, pfn, true, true, 'iommu:' + dom.id, dom.tables);
    expect(checkProperties(w, [propertyNamed('no-iova-to-unpinned-page')!]).map((v) => v.message)).toEqual([
      `dom1 IOVA 0x99000 maps frame 0x${pfn.toString(16)} but no mapping record accounts for that IOVA`,
    ]);
  });

  it.prop([mappedWorld, fc.integer({ min: 1, max: 3 })])('pin-balance should catch an extra pin', ({ w, pfn }, n) => {
    for (let i = 0; i < n; i++) pinFrame(w, pfn);
    expect([...fired(w)]).toEqual(['pin-balance']);
  });

  it.prop([mappedWorld, fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0)])('locked-vm-accounting should catch a charge that does not match the pins', ({ w }, delta) => {
    w.mms.get('qemu')!.lockedVm += delta;
    expect(fired(w).has('locked-vm-accounting')).toBe(true);
  });

  it('locked-vm-limit should catch a step that charges past RLIMIT_MEMLOCK without CAP_IPC_LOCK', () => {
    const w = setupWorld(8);
    const pre = notePre(w);
    const event = map(0, 6, 0);
    const outcome = applyEvent(w, event);
    expect(outcome.code).toBe('OK');
    // planted: the limit the charge should have been held to was 4 pages.
    w.mms.get('qemu')!.memlockPages = 4;
    expect(checkProperties(w, [propertyNamed('locked-vm-limit')!], { event, outcome, pre }).map((v) => v.message)).toEqual([
      'mm qemu was charged to locked_vm 6 pages, over RLIMIT_MEMLOCK 4 pages',
    ]);
  });

  it('locked-vm-limit should allow charges kept after the limit is lowered', () => {
    const w = setupWorld(8);
    ok(w, map(0, 8, 0));
    const { violations } = applyChecked(w, e('host.rlimit.set', { mm: 'qemu', memlock: 4n * 4096n }));
    expect(violations).toEqual([]);
  });

  it('isolation should catch a device reaching another process or the kernel', () => {
    const w = setupWorld();
    ok(w, e('host.process.spawn', { mm: 'victim' }));
    const dom = w.domains.get('dom1')!;
    const foreign = allocFrame(w.frames, 'anon:victim');
    vtdMap(w.frames, dom.root, 0x10, foreign, true, true, 'iommu:dom1', dom.tables);
    vtdMap(w.frames, dom.root, 0x11, dom.root, true, true, 'iommu:dom1', dom.tables);
    const msgs = checkProperties(w, [propertyNamed('isolation')!]).map((v) => v.message);
    expect(msgs).toEqual([
      `group g7 IOVA 0x10000 reaches frame 0x${foreign.toString(16)} owned by anon:victim, not anon:qemu`,
      `group g7 IOVA 0x11000 reaches frame 0x${dom.root.toString(16)} owned by iommu:dom1, not anon:qemu`,
    ]);
  });

  it.prop([mappedWorld])('teardown-complete should catch a released container that kept its mappings', ({ w }) => {
    w.containers.get('c0')!.lc = 'released';
    expect(fired(w).has('teardown-complete')).toBe(true);
  });

  it('teardown-complete should catch a pin that outlives every VFIO fd of its process', () => {
    const w = setupWorld();
    ok(w, map(0, 1, 0));
    for (const x of [
      e('vmm.vfio.device.close', { fd: 'f0' }),
      e('vmm.vfio.group.close', { group: 'g7' }),
      e('vmm.vfio.container.close', { container: 'c0' }),
    ]) ok(w, x);
    expect(checkProperties(w)).toEqual([]);
    pinFrame(w, w.mms.get('qemu')!.pages.get(Number(HVA >> 12n))!);
    expect(fired(w).has('teardown-complete')).toBe(true);
  });

  it('no-dangling-kvm should catch a destroyed VM still referenced by a device', () => {
    const w = setupWorld();
    ok(w, e('vmm.kvm.close_vm', { vm: 'vm0' }));
    expect(w.vms.get('vm0')!.lc).toBe('destroyed');
    w.devices.get('nic0')!.kvm = 'vm0';
    expect(checkProperties(w, [propertyNamed('no-dangling-kvm')!]).map((v) => v.message)).toEqual(['VM vm0 is destroyed but device nic0 still holds it']);
  });
});
