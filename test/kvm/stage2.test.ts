/**
 * KVM's stage-2 (EPT) table and dirty logging on x86, and the stage2-shared design: the table
 * bytes, the dirty bitmap against an oracle of what was written, memory contents through every
 * path, and the pins a shared table holds.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkProperties } from '../../properties/index.js';
import { frameForRead } from '../../src/memory/frames.js';
import { eptIndex } from '../../src/kvm/stage2/layout.js';
import { s2IsDirty, s2Lookup } from '../../src/kvm/stage2/table.js';
import type { ModelEvent } from '../../src/events/types.js';
import type { World } from '../../src/model/world.js';
import { applyChecked } from '../support/checked.js';
import { anyEvent } from '../support/arbitraries.js';
import { digest } from '../../src/model/digest.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { SUCCESS_CODES } from '../../src/model/codes.js';
import { e, err, HVA, ok, setupEvents, setupWorld } from '../support/fixture.js';
import { emptyWorld } from '../../src/model/world.js';
import '../../src/kvm/stage2/shared.js';

/** An empty x86 world booted with a design variant. */
function emptyWorldWith(variant: string): World {
  const w = emptyWorld();
  ok(w, e('host.boot', { arch: 'x86', design: variant }));
  return w;
}

const G = 4;
const gpa = (p: number) => BigInt(p) << 12n;

/** The standard x86 setup plus the KVM-VFIO device holding g7; `share` makes the IOMMU walk KVM's table. */
function kvmWorld(share: boolean): World {
  const w = setupWorld();
  ok(w, e('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }));
  ok(w, e('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g7' }));
  if (share) ok(w, e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }));
  return w;
}

/** Raw little-endian u64 of an EPT entry. */
function entry(w: World, table: number, index: number): bigint {
  const b = frameForRead(w.frames, table);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[index * 8 + i]);
  return v;
}

describe('the EPT table bytes', () => {
  it('should hold R|W|X non-leaf entries and R|W|X|WB leaves with the frame address, and drop W for dirty logging', () => {
    const w = kvmWorld(false);
    ok(w, e('guest.mem.write', { vm: 'vm0', gpa: gpa(0xf5) + 8n, data: Uint8Array.of(1) }));
    const vm = w.vms.get('vm0')!;
    let table = vm.s2!.root;
    for (let level = 4; level > 1; level--) {
      const v = entry(w, table, eptIndex(0xf5, level));
      expect(v & 0xfffn).toBe(0x7n);
      table = Number(v >> 12n);
    }
    const pfn = w.mms.get('qemu')!.pages.get(Number(HVA >> 12n) + 0xf5)!;
    expect(entry(w, table, 0xf5)).toBe((BigInt(pfn) << 12n) | 0x37n);
    ok(w, e('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 }));
    expect(entry(w, table, 0xf5)).toBe((BigInt(pfn) << 12n) | 0x35n);
    ok(w, e('guest.mem.write', { vm: 'vm0', gpa: gpa(0xf5), data: Uint8Array.of(2) }));
    expect(entry(w, table, 0xf5)).toBe((BigInt(pfn) << 12n) | 0x37n);
  });

  it('should free every table frame when the VM is destroyed', () => {
    const w = kvmWorld(false);
    ok(w, e('guest.mem.write', { vm: 'vm0', gpa: 0n, data: Uint8Array.of(1) }));
    expect([...w.frames.owner.values()].filter((o) => o === 'kvm:vm0').length).toBe(4);
    ok(w, e('vmm.kvm.device.close', { dev: 'kv' }));
    ok(w, e('vmm.kvm.close_vm', { vm: 'vm0' }));
    expect([...w.frames.owner.values()].filter((o) => o === 'kvm:vm0').length).toBe(0);
  });
});

const privateOp = fc.oneof(
  fc.record({ k: fc.constant('write' as const), p: fc.nat(G - 1), b: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ k: fc.constant('read' as const), p: fc.nat(G - 1) }),
  fc.record({ k: fc.constant('migrate' as const), p: fc.nat(G - 1) }),
  fc.record({ k: fc.constantFrom('enable' as const, 'disable' as const, 'get' as const) }),
);

describe('dirty logging on a private stage-2 table', () => {
  it.prop([fc.array(privateOp, { maxLength: 40 })])('should report exactly the pages written since logging began or the last GET, and keep every byte', (ops) => {
    const w = kvmWorld(false);
    const mem = new Map<number, number>();
    let logging = false;
    let written = new Set<number>();
    for (const op of ops) {
      let ev: ModelEvent;
      if (op.k === 'write') ev = e('guest.mem.write', { vm: 'vm0', gpa: gpa(op.p), data: Uint8Array.of(op.b) });
      else if (op.k === 'read') ev = e('guest.mem.read', { vm: 'vm0', gpa: gpa(op.p), len: 1 });
      else if (op.k === 'migrate') ev = e('host.mm.migrate', { mm: 'qemu', hva: HVA + gpa(op.p) });
      else if (op.k === 'get') ev = e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 });
      else ev = e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, flags: op.k === 'enable' ? 1 : 0, gpa: 0n, size: 0x10_0000n, hva: HVA });
      const { outcome, violations } = applyChecked(w, ev);
      expect(violations).toEqual([]);
      if (op.k === 'write') {
        mem.set(op.p, op.b);
        if (logging) written.add(op.p);
      } else if (op.k === 'read') expect(outcome.data).toEqual(Uint8Array.of(mem.get(op.p) ?? 0));
      else if (op.k === 'migrate') expect(outcome.code).toBe(mem.has(op.p) ? 'OK' : 'ENOENT');
      else if (op.k === 'get') {
        expect(outcome.code).toBe(logging ? 'OK' : 'ENOENT');
        if (logging) {
          const want = new Uint8Array(32);
          for (const p of written) want[p >> 3] |= 1 << (p & 7);
          expect(outcome.data).toEqual(want);
          written = new Set();
        }
      } else {
        if (op.k === 'enable' && !logging) written = new Set();
        logging = op.k === 'enable';
      }
    }
  });
});

const sharedOp = fc.oneof(
  fc.record({ k: fc.constantFrom('gwrite' as const, 'dwrite' as const), p: fc.nat(G - 1), b: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ k: fc.constantFrom('dread' as const, 'migrate' as const), p: fc.nat(G - 1) }),
  fc.record({ k: fc.constantFrom('enable' as const, 'get' as const, 'addslot' as const, 'delslot' as const) }),
);

describe('the stage2-shared design', () => {
  it('should pin and charge every guest page once, and release them all when sharing ends', () => {
    const w = kvmWorld(true);
    expect(w.pins.size).toBe(256);
    expect(w.mms.get('qemu')!.lockedVm).toBe(256);
    ok(w, e('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'g7' }));
    expect(w.pins.size).toBe(0);
    expect(w.mms.get('qemu')!.lockedVm).toBe(0);
    expect(w.groups.get('g7')!.domain).toBe(w.containers.get('c0')!.iommu!.domain);
    expect(checkProperties(w)).toEqual([]);
  });

  it('should refuse sharing over RLIMIT_MEMLOCK and change nothing', () => {
    const w = setupWorld(255);
    ok(w, e('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }));
    ok(w, e('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g7' }));
    err(w, 'ENOMEM', e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }));
    expect(w.pins.size).toBe(0);
    expect(w.domains.size).toBe(1);
  });

  it('should refuse on a non-x86 host and for a group not in a type1 container', () => {
    const w = kvmWorld(false);
    ok(w, e('host.pci.device.add', { device: 'nic1', group: 'g9' }));
    ok(w, e('vmm.vfio.group.open', { group: 'g9', mm: 'qemu' }));
    ok(w, e('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g9' }));
    err(w, 'EINVAL', e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g9' }));
    w.arch = 's390';
    err(w, 'ENODEV', e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }));
  });

  it.prop([fc.array(sharedOp, { maxLength: 30 })])('should keep every property and let the guest and the device see each other\'s bytes', (ops) => {
    const w = kvmWorld(true);
    const mem = new Map<number, number>();
    for (const op of ops) {
      let ev: ModelEvent;
      if (op.k === 'gwrite') ev = e('guest.mem.write', { vm: 'vm0', gpa: gpa(op.p), data: Uint8Array.of(op.b) });
      else if (op.k === 'dwrite') ev = e('device.dma.write', { device: 'nic0', iova: gpa(op.p), data: Uint8Array.of(op.b) });
      else if (op.k === 'dread') ev = e('device.dma.read', { device: 'nic0', iova: gpa(op.p), len: 1 });
      else if (op.k === 'migrate') ev = e('host.mm.migrate', { mm: 'qemu', hva: HVA + gpa(op.p) });
      else if (op.k === 'enable') ev = e('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 });
      else if (op.k === 'get') ev = e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 });
      else if (op.k === 'addslot') ev = e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, gpa: 0x20_0000n, size: 0x2000n, hva: HVA + 0x2000n });
      else ev = e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, gpa: 0x20_0000n, size: 0n, hva: HVA + 0x2000n });
      const { outcome, violations } = applyChecked(w, ev);
      expect(violations).toEqual([]);
      if (op.k === 'gwrite' || op.k === 'dwrite') {
        expect(outcome.code).toBe('OK');
        mem.set(op.p, op.b);
      } else if (op.k === 'dread') expect(outcome.data).toEqual(Uint8Array.of(mem.get(op.p) ?? 0));
      else if (op.k === 'migrate') expect(outcome.code).toBe('EBUSY');
      else if (op.k === 'enable') expect(outcome.code).toBe('EINVAL');
      else if (op.k === 'get') expect(outcome.code).toBe('ENOENT');
    }
    // the slot at 2 MiB aliases guest pages 2..3: the same frames, pinned once per KVM holder.
    const vm = w.vms.get('vm0')!;
    for (let p = 0; p < G; p++) expect(s2Lookup(w, vm, p)?.pfn).toBe(vm.shared!.pins.get(p));
  });
});

describe('refusals around shared and SVA translation', () => {
  const focused = fc.oneof(
    anyEvent,
    fc.constantFrom<ModelEvent>(
      e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }),
      e('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 }),
      e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 }),
      e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, gpa: 0x20_0000n, size: 0x2000n, hva: HVA + 0x20_0000n }),
      e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 2, gpa: 0x40_0000n, size: 0x2000n, hva: 0x1000n }),
      e('vmm.vfio.device.bind_sva', { fd: 'f0' }),
      e('vmm.vfio.device.unbind_sva', { fd: 'f0' }),
      e('host.mm.migrate', { mm: 'qemu', hva: HVA }),
      e('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA, iova: 0n, size: 0x1000n }),
    ),
  );

  it.prop([fc.boolean(), fc.array(focused, { maxLength: 30 })], { numRuns: 80 })('should change nothing when a call is refused, shared or not', (share, events) => {
    const w = kvmWorld(share);
    for (const x of events) {
      const before = digest(w);
      const out = applyEvent(w, x);
      const partialByDesign = x.type === 'guest.spapr.h_put_tce_indirect' && out.code === 'H_PARAMETER';
      if (!SUCCESS_CODES.has(out.code) && out.code !== 'CC1' && !partialByDesign) expect(digest(w), `${x.type} refused with ${out.code}`).toBe(before);
    }
  });
});

describe('read-only memslots', () => {
  it('should refuse guest writes, map reads read-only, and keep the flag fixed', () => {
    const w = kvmWorld(false);
    ok(w, e('vmm.mmap', { mm: 'qemu', hva: HVA + 0x20_0000n, size: 0x1000n }));
    ok(w, e('vmm.mem.write', { mm: 'qemu', hva: HVA + 0x20_0000n, data: Uint8Array.of(7) }));
    ok(w, e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, flags: 2, gpa: 0x20_0000n, size: 0x1000n, hva: HVA + 0x20_0000n }));
    err(w, 'EFAULT', e('guest.mem.write', { vm: 'vm0', gpa: 0x20_0000n, data: Uint8Array.of(1) }));
    expect(ok(w, e('guest.mem.read', { vm: 'vm0', gpa: 0x20_0000n, len: 1 })).data).toEqual(Uint8Array.of(7));
    expect(s2Lookup(w, w.vms.get('vm0')!, 0x200)?.write).toBe(false);
    err(w, 'EINVAL', e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, flags: 0, gpa: 0x20_0000n, size: 0x1000n, hva: HVA + 0x20_0000n }));
  });
});

describe('the dirty-bits alternative (stage2-shared-dirty-bits)', () => {
  /** A shared world under the design variant: booted with it before anything exists. */
  function dirtyBitsWorld(): World {
    const w = emptyWorldWith('stage2-shared-dirty-bits');
    for (const x of setupEvents()) ok(w, x);
    ok(w, e('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }));
    ok(w, e('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g7' }));
    ok(w, e('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }));
    return w;
  }
  const bitmapOf = (pages: number[]) => {
    const b = new Uint8Array(32);
    for (const p of pages) b[p >> 3] |= 1 << (p & 7);
    return b;
  };

  it('should let the IOMMU set D in the EPT bytes, report it once, and set it again after the flush', () => {
    const w = dirtyBitsWorld();
    const vm = w.vms.get('vm0')!;
    ok(w, e('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 }));
    ok(w, e('device.dma.write', { device: 'nic0', iova: gpa(5), data: Uint8Array.of(1) }));
    expect(s2IsDirty(w, vm, 5)).toBe(true);
    expect(ok(w, e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 })).data).toEqual(bitmapOf([5]));
    expect(s2IsDirty(w, vm, 5)).toBe(false);
    expect(ok(w, e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 })).data).toEqual(bitmapOf([]));
    ok(w, e('device.dma.write', { device: 'nic0', iova: gpa(5), data: Uint8Array.of(2) }));
    ok(w, e('guest.mem.write', { vm: 'vm0', gpa: gpa(9), data: Uint8Array.of(3) }));
    expect(ok(w, e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 })).data).toEqual(bitmapOf([5, 9]));
  });

  it.prop([fc.array(sharedOp, { maxLength: 30 })])('should report every page written since the last GET, by the guest or the device', (ops) => {
    const w = dirtyBitsWorld();
    ok(w, e('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 }));
    let written = new Set<number>();
    for (const op of ops) {
      if (op.k === 'enable' || op.k === 'addslot' || op.k === 'delslot') continue;
      let ev: ModelEvent;
      if (op.k === 'gwrite') ev = e('guest.mem.write', { vm: 'vm0', gpa: gpa(op.p), data: Uint8Array.of(op.b) });
      else if (op.k === 'dwrite') ev = e('device.dma.write', { device: 'nic0', iova: gpa(op.p), data: Uint8Array.of(op.b) });
      else if (op.k === 'dread') ev = e('device.dma.read', { device: 'nic0', iova: gpa(op.p), len: 1 });
      else if (op.k === 'migrate') ev = e('host.mm.migrate', { mm: 'qemu', hva: HVA + gpa(op.p) });
      else ev = e('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 });
      const { outcome, violations } = applyChecked(w, ev);
      expect(violations).toEqual([]);
      if (op.k === 'gwrite' || op.k === 'dwrite') written.add(op.p);
      if (op.k === 'get') {
        expect(outcome.data).toEqual(bitmapOf([...written]));
        written = new Set();
      }
    }
  });
});
