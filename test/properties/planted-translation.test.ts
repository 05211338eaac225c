/**
 * Planted violations for the shared-translation properties: each world is built by real events
 * (a shared stage-2 table, a private one that logs, an SVA binding), then one fact is corrupted
 * behind the model's back, as a buggy design would.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkProperties, propertyNamed } from '../../properties/index.js';
import { allocFrame } from '../../src/memory/frames.js';
import { s2Zap, s2Install } from '../../src/kvm/stage2/table.js';
import type { World } from '../../src/model/world.js';
import { e, HVA, ok, setupWorld } from '../support/fixture.js';

const gpa = (p: number) => BigInt(p) << 12n;
const only = (w: World, name: string) => checkProperties(w, [propertyNamed(name)!]).map((v) => v.message);

function sharedWorld(touched: number[]): World {
  const w = setupWorld();
  ok(w, e('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }));
  ok(w, e('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g7' }));
  ok(w, e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }));
  for (const p of touched) ok(w, e('device.dma.read', { device: 'nic0', iova: gpa(p), len: 1 }));
  return w;
}

const pages = fc.uniqueArray(fc.nat(255), { minLength: 1, maxLength: 6 });

describe('planted violations of the shared-translation properties', () => {
  it.prop([pages])('should hold on the unplanted worlds', (ps) => {
    expect(checkProperties(sharedWorld(ps))).toEqual([]);
  });

  it.prop([pages])('shared-stage2-populated should catch a zapped leaf of a shared table', (ps) => {
    const w = sharedWorld(ps);
    s2Zap(w, w.vms.get('vm0')!, ps[0]);
    expect(only(w, 'shared-stage2-populated')).toEqual([`vm0 GPA 0x${(ps[0] * 4096).toString(16)} has no leaf in the shared table (frame 0x${w.vms.get('vm0')!.shared!.pins.get(ps[0])!.toString(16)} is pinned for it)`]);
  });

  it.prop([pages])('shared-stage2-populated should catch a leaf that points at another frame', (ps) => {
    const w = sharedWorld(ps);
    s2Install(w, w.vms.get('vm0')!, ps[0], allocFrame(w.frames, 'anon:qemu'), true);
    expect(only(w, 'shared-stage2-populated')).toHaveLength(1);
    // the leaf no longer points at the page's backing either.
    expect(only(w, 'iotlb-coherence').some((m) => m.startsWith(`vm0 stage-2 GPA 0x${(ps[0] * 4096).toString(16)}`))).toBe(true);
  });

  it.prop([pages])('iotlb-coherence should catch an IOTLB entry left pointing at a moved page', (ps) => {
    const w = sharedWorld(ps);
    const dom = w.domains.get(w.vms.get('vm0')!.shared!.domain)!;
    const stale = allocFrame(w.frames, 'anon:qemu');
    dom.iotlb!.set(ps[0], { pfn: stale, write: true });
    expect(only(w, 'iotlb-coherence')).toEqual([expect.stringMatching(new RegExp(`^${dom.id} IOTLB IOVA 0x${(ps[0] * 4096).toString(16)} points to frame 0x${stale.toString(16)} but the page is backed by frame`))]);
  });

  it.prop([fc.nat(255)])('iotlb-coherence should catch an SVA cached translation of a moved page', (p) => {
    const w = setupWorld();
    ok(w, e('vmm.vfio.device.bind_sva', { fd: 'f0' }));
    ok(w, e('device.dma.write', { device: 'nic0', iova: HVA + gpa(p), data: Uint8Array.of(1) }));
    expect(only(w, 'iotlb-coherence')).toEqual([]);
    // planted: the page moves without the notifier.
    const mm = w.mms.get('qemu')!;
    mm.pages.set(Number(HVA >> 12n) + p, allocFrame(w.frames, 'anon:qemu'));
    expect(only(w, 'iotlb-coherence')).toHaveLength(1);
  });

  it.prop([fc.uniqueArray(fc.nat(255), { minLength: 1, maxLength: 5 })])('dirty-tracking-complete should catch a written page missing from the bitmap', (ps) => {
    const w = setupWorld();
    ok(w, e('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 }));
    for (const p of ps) ok(w, e('guest.mem.write', { vm: 'vm0', gpa: gpa(p), data: Uint8Array.of(1) }));
    expect(only(w, 'dirty-tracking-complete')).toEqual([]);
    w.vms.get('vm0')!.slots[0].dirty!.delete(ps[0]);
    expect(only(w, 'dirty-tracking-complete')).toEqual([`vm0 slot 0 GPA 0x${(ps[0] * 4096).toString(16)} was written while logging but is neither in the dirty bitmap nor marked by its D bit`]);
  });
});
