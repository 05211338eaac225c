/** KVM-VFIO SET_SPAPR_TCE, KVM's hypercalls reaching the hardware tables, and the two LIOBN binding designs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProperties, propertyNamed } from '../../properties/index.js';
import '../../faults/index.js';
import { runCheck } from '../../src/check/run.js';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';
import { isOutcomeCode } from '../../src/model/codes.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { applyChecked } from '../support/checked.js';
import { ok } from '../support/fixture.js';
import '../../faults/index.js';

const HVA = 0x7f00_0000_0000n;
const LIOBN = 0x8000_0000n;
const run = (w: World, e: ModelEvent) => applyEvent(w, e);
const put = (ioba: bigint, tce: bigint) => ev('guest.spapr.h_put_tce', { vm: 'vm0', liobn: LIOBN, ioba, tce });
const stuff = (ioba: bigint, npages = 1n) => ev('guest.spapr.h_stuff_tce', { vm: 'vm0', liobn: LIOBN, ioba, tceValue: 0n, npages });
const read = (device: string, iova: bigint) => ev('device.dma.read', { device, iova, len: 2 });
const bind = (group = 'gA', table = 't32') => ev('vmm.kvm.vfio.set_spapr_tce', { dev: 'kv', group, table });

/** A POWER VM with 64 KiB of RAM (gpa 0 = HVA), gA in container c0 with `registered` bytes preregistered, LIOBN t32 created; gB open but outside. */
function host(variant = '', registered = 0x10000n): World {
  const w = emptyWorld();
  for (const e of [
    ev('host.boot', { arch: 'ppc64', design: variant }),
    ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
    ev('host.pci.device.add', { device: 'a0', group: 'gA' }),
    ev('host.pci.device.add', { device: 'b0', group: 'gB' }),
    ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x10000n }),
    ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x10000n, hva: HVA }),
    ev('guest.mem.write', { vm: 'vm0', gpa: 0x3000n, data: Uint8Array.of(0x5a, 0xa5) }),
    ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    ev('vmm.vfio.group.open', { group: 'gA', mm: 'qemu' }),
    ev('vmm.vfio.group.set_container', { group: 'gA', container: 'c0' }),
    ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
    ev('vmm.vfio.group.get_device_fd', { group: 'gA', device: 'a0', fd: 'fa' }),
    ev('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr: HVA, size: registered }),
    ev('vmm.vfio.dma.unmap', { container: 'c0', iova: 0n, size: 0x1000n }),
    ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
    ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'gA' }),
    ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't32', liobn: LIOBN, pageShift: 12, offset: 0n, size: 0x40000n }),
    ev('vmm.vfio.group.open', { group: 'gB', mm: 'qemu' }),
  ]) ok(w, e);
  return w;
}

const joinB = (w: World) => {
  ok(w, ev('vmm.vfio.group.set_container', { group: 'gB', container: 'c0' }));
  ok(w, ev('vmm.vfio.group.get_device_fd', { group: 'gB', device: 'b0', fd: 'fb' }));
};

describe('KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE', () => {
  it('should refuse with the kernel codes of §4.4 and §7.4', () => {
    const w = host();
    expect(run(w, ev('vmm.kvm.vfio.set_spapr_tce', { dev: 'nope', group: 'gA', table: 't32' })).code).toBe('EBADF');
    expect(run(w, bind('gB')).code).toBe('ENOENT'); // never FILE_ADDed
    expect(run(w, bind('gA', 'nope')).code).toBe('EBADF');
    // a table whose window matches no hardware window: 64 KiB pages at the default window's bus start.
    ok(w, ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't64', liobn: 0x8000_0001n, pageShift: 16, offset: 0x10n, size: 0x10n }));
    expect(run(w, bind('gA', 't64')).code).toBe('EINVAL');
    // another VM's table.
    ok(w, ev('vmm.kvm.create_vm', { vm: 'vm1', mm: 'qemu' }));
    ok(w, ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm1', table: 'tx', liobn: LIOBN, pageShift: 12, offset: 0n, size: 0x40000n }));
    expect(run(w, bind('gA', 'tx')).code).toBe('EINVAL');
    ok(w, bind());
    ok(w, bind()); // a second bind only takes another reference
    expect(w.tceTables.get('t32')!.attached).toEqual(['gA']);
    ok(w, ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'gA' }));
    expect(w.tceTables.get('t32')!.attached).toEqual([]);
  });

  it('should refuse off POWER: no TCE table ioctl (ENOTTY) and no SET_SPAPR_TCE attribute (ENXIO), changing nothing', () => {
    const w = emptyWorld();
    for (const e of [
      ev('host.boot', { arch: 'x86' }), ev('host.process.spawn', { mm: 'q' }), ev('host.pci.device.add', { device: 'd', group: 'g' }),
      ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'q' }), ev('vmm.vfio.group.open', { group: 'g', mm: 'q' }),
      ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }), ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g' }),
    ]) ok(w, e);
    const before = [w.mms.get('q')!.lockedVm, w.vms.get('vm0')!.refs];
    expect(run(w, ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't32', liobn: LIOBN, pageShift: 12, offset: 0n, size: 0x40000n })).code).toBe('ENOTTY');
    expect([w.tceTables.size, w.mms.get('q')!.lockedVm, w.vms.get('vm0')!.refs]).toEqual([0, ...before]);
    expect(run(w, bind('g')).code).toBe('ENXIO');
  });
});

describe('hypercalls on a bound LIOBN', () => {
  it('should map the hardware table in KVM: the device reads the guest bytes, and faults after H_STUFF_TCE', () => {
    const w = host();
    ok(w, bind());
    const exits = w.stats.vmExits;
    expect(run(w, put(0x5000n, 0x3003n)).code).toBe('H_SUCCESS');
    expect(w.stats.vmExits).toBe(exits); // no exit to the VMM
    expect(run(w, read('a0', 0x5000n)).data).toEqual(Uint8Array.of(0x5a, 0xa5));
    expect(run(w, stuff(0x5000n)).code).toBe('H_SUCCESS');
    expect(run(w, read('a0', 0x5000n)).code).toBe('IOMMU_FAULT_NOT_PRESENT');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should hand a TCE outside preregistered memory to the VMM (H_TOO_HARD), whose MAP fails and is only reported', () => {
    const w = host('', 0x2000n);
    ok(w, bind());
    const exits = w.stats.vmExits;
    expect(run(w, put(0x5000n, 0x3003n)).code).toBe('H_SUCCESS');
    expect(w.stats.vmExits).toBe(exits + 1);
    expect(run(w, read('a0', 0x5000n)).code).toBe('IOMMU_FAULT_NOT_PRESENT');
    // inside the registered pages KVM handles it.
    expect(run(w, put(0x6000n, 0x1003n)).code).toBe('H_SUCCESS');
    expect(w.stats.vmExits).toBe(exits + 1);
    expect(checkProperties(w)).toEqual([]);
  });

  it('should update the hardware table only through preregistered memory, and keep a mapped page pinned when its region is unregistered', () => {
    const w = host();
    ok(w, bind());
    ok(w, put(0x5000n, 0x3003n));
    // v5.0+: the unregister succeeds, but the process keeps the region (and its pins) while a TCE maps it.
    ok(w, ev('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr: HVA, size: 0x10000n }));
    expect(checkProperties(w)).toEqual([]);
    ok(w, stuff(0x5000n));
    expect(run(w, ev('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr: HVA, size: 0x10000n })).code).toBe('ENOENT');
  });
});

describe('the two binding designs', () => {
  /** The late-group sequence: bind gA, gB joins, map, gB caches, clear, unregister, gB reads. */
  function lateGroup(variant: string) {
    const w = host(variant);
    ok(w, bind());
    joinB(w);
    ok(w, put(0x5000n, 0x3003n));
    ok(w, read('b0', 0x5000n));
    ok(w, stuff(0x5000n));
    return w;
  }

  it('liobn-to-container should kill the late group too', () => {
    const w = lateGroup('liobn-to-container');
    expect(run(w, read('b0', 0x5000n)).code).toBe('IOMMU_FAULT_NOT_PRESENT');
    expect(checkProperties(w)).toEqual([]);
  });

  it('liobn-to-group should leave the late group a stale TCE into a page that gets unpinned', () => {
    const w = lateGroup('liobn-to-group');
    expect(checkProperties(w, [propertyNamed('container-coherence')!]).map((v) => v.property)).toEqual(['container-coherence']);
    ok(w, ev('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr: HVA, size: 0x10000n }));
    expect(run(w, read('b0', 0x5000n)).data).toEqual(Uint8Array.of(0x5a, 0xa5));
    expect(checkProperties(w, [propertyNamed('no-iova-to-unpinned-page')!]).map((v) => v.property)).toEqual(['no-iova-to-unpinned-page']);
  });

  it('the checker should find the late-group violation for liobn-to-group and none for liobn-to-container', () => {
    const group = runCheck({ scenario: 'liobn-binding', params: {}, variant: 'liobn-to-group' });
    expect(group.verdict).toBe('violation');
    expect(group.result.violations[0].property).toBe('container-coherence');
    expect(group.result.violations[0].trace.map((e) => e.type)).toContain('vmm.vfio.group.set_container');
    const container = runCheck({ scenario: 'liobn-binding', params: {}, variant: 'liobn-to-container' });
    expect([container.verdict, container.asExpected]).toEqual(['pass', true]);
    expect(container.result.covers.every((c) => c.hit)).toBe(true);
  });

  it('should reach the same verdicts in a DDW window at 2^59, every IOBA above 2^53', () => {
    const group = runCheck({ scenario: 'liobn-binding', params: { W: 1 }, variant: 'liobn-to-group' });
    expect(group.result.violations[0].property).toBe('container-coherence');
    expect(group.result.violations[0].message).toContain('IOBA 0x800000000000000');
    const container = runCheck({ scenario: 'liobn-binding', params: { W: 1 }, variant: 'liobn-to-container' });
    expect([container.verdict, container.result.covers.every((c) => c.hit)]).toEqual(['pass', true]);
  });

  it('the violation log should carry on past the violations its lines expect, and stop at the first without expectViolation', () => {
    const file = 'violations/spapr-liobn-to-group-late-group.jsonl';
    const r = readLog(readFileSync(join(import.meta.dirname, '../../examples', file), 'utf8'), file);
    if (!r.ok) throw r.error;
    const told = replay(r.entries);
    expect([told.violated, told.mismatches, told.steps.length]).toEqual([undefined, 0, r.entries.length]);
    expect(told.steps.flatMap((s) => s.violations.map((v) => `${s.type} ${v.property} ${v.expected}`))).toEqual([
      'guest.spapr.h_stuff_tce container-coherence true',
      'vmm.vfio.spapr.unregister_memory no-iova-to-unpinned-page true',
    ]);
    // without the lines' expectations: replay stops at the H_STUFF_TCE that left gB stale.
    const plain = r.entries.map(({ expectViolation: _, ...x }) => x);
    const stopped = replay(plain);
    expect(stopped.violated?.type).toBe('guest.spapr.h_stuff_tce');
    expect(stopped.violated?.violations.map((v) => v.property)).toEqual(['container-coherence']);
    expect(stopped.steps.length).toBe(27);
    // --keep-going: past both, each reported once, at the line that caused it.
    const going = replay(plain, { keepGoing: true });
    expect(going.steps.length).toBe(r.entries.length);
    expect(going.violated?.type).toBe('guest.spapr.h_stuff_tce');
    expect(going.steps.filter((s) => s.violations.length).map((s) => s.line)).toEqual([27, 30]);
  });

  it('should count an expected violation that does not happen as a mismatch', () => {
    const file = 'violations/spapr-liobn-to-group-late-group.jsonl';
    const r = readLog(readFileSync(join(import.meta.dirname, '../../examples', file), 'utf8'), file);
    if (!r.ok) throw r.error;
    const wrong = r.entries.map((x) => (x.line === 26 ? { ...x, expectViolation: ['container-coherence'] } : x));
    const result = replay(wrong);
    expect(result.steps[25].mismatch).toBe('expected a violation of container-coherence, got none');
    expect(result.mismatches).toBe(1);
  });
});

describe('the h-put-tce-unvalidated fault', () => {
  it('should map whatever frame the guest names, caught by isolation, and never crash the model', () => {
    const w = host('h-put-tce-unvalidated');
    ok(w, bind());
    // kvmppc_tce_to_ua still runs: an address outside every memslot is refused before anything is written.
    expect(run(w, put(0x5000n, 0xffff_ffff_ffff_f003n)).code).toBe('H_PARAMETER');
    // guest page 2 is taken as host frame 2, which is not the guest's.
    expect(run(w, put(0x5000n, 0x2003n)).code).toBe('H_SUCCESS');
    expect(checkProperties(w, [propertyNamed('isolation')!]).map((v) => v.property)).toEqual(['isolation']);
    expect(run(w, ev('device.dma.write', { device: 'a0', iova: 0x5000n, data: Uint8Array.of(1) })).code).toBe('OK');
    expect(run(w, read('a0', 0x5000n)).code).toBe('OK');
    ok(w, stuff(0x5000n));
    expect(checkProperties(w, [propertyNamed('isolation')!])).toEqual([]);
  });
});

describe('hostile hypercalls on a bound LIOBN (liobn-to-container)', () => {
  it('should never throw, always give a real code and keep every property', () => {
    const ioba = fc.oneof(fc.integer({ min: 0, max: 20 }).map((p) => BigInt(p) << 12n), fc.constantFrom(0x5008n, 0x4000_0000n, (1n << 64n) - 0x1000n, 1n << 59n));
    const tce = fc.oneof(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 })).map(([p, r]) => (BigInt(p) << 12n) | BigInt(r)), fc.constantFrom(0x3803n, 1n << 60n, (1n << 64n) - 1n));
    const call = fc.oneof(
      fc.tuple(ioba, tce).map(([i, t]) => put(i, t)),
      fc.tuple(ioba, fc.constantFrom(1n, 2n, 513n, 1n << 40n)).map(([i, n]) => stuff(i, n)),
      fc.tuple(ioba, fc.constantFrom(0x8000n, 0x8ff8n, 0x8008n, 0x20000n), fc.constantFrom(1n, 2n, 512n, 513n)).map(([i, l, n]) => ev('guest.spapr.h_put_tce_indirect', { vm: 'vm0', liobn: LIOBN, ioba: i, tceList: l, npages: n })),
      fc.tuple(fc.integer({ min: 0, max: 15 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map(([p, v]) => ev('guest.mem.write', { vm: 'vm0', gpa: 0x8000n + BigInt(p) * 8n, data: Uint8Array.from({ length: 8 }, (_, k) => Number((v >> BigInt(56 - 8 * k)) & 0xffn)) })),
      fc.tuple(fc.constantFrom('a0', 'b0'), ioba).map(([d, i]) => read(d, i)),
      fc.constant(ev('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr: HVA, size: 0x10000n })),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(call, { maxLength: 25 }), (late, calls) => {
        const w = host('liobn-to-container');
        ok(w, bind());
        if (late) joinB(w);
        for (const c of calls) {
          const { outcome, violations } = applyChecked(w, c);
          expect(isOutcomeCode(outcome.code), `${c.type} -> ${outcome.code}`).toBe(true);
          expect(violations, `after ${c.type}`).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('H_STUFF_TCE clearing a range the guest names', () => {
  /** A VM with a 2^40-entry KVM table (CAP_IPC_LOCK lifts the up-front charge's limit). */
  function bigTable(): World {
    const w = emptyWorld();
    for (const e of [
      ev('host.boot', { arch: 'ppc64' }),
      ev('host.process.spawn', { mm: 'qemu', capIpcLock: true }),
      ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x10000n }),
      ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
      ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x10000n, hva: HVA }),
      ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 'big', liobn: LIOBN, pageShift: 12, offset: 0n, size: 1n << 40n }),
    ]) ok(w, e);
    return w;
  }
  const get = (w: World, ioba: bigint) => run(w, ev('guest.spapr.h_get_tce', { vm: 'vm0', liobn: LIOBN, ioba })).value;

  it('should clear 2^40 pages at the cost of the entries ever written', () => {
    const w = bigTable();
    ok(w, put(0xff_ffff_f000n, 0x3003n));
    ok(w, put(0x1000n, 0x2001n));
    expect(run(w, stuff(0n, 1n << 40n)).code).toBe('H_SUCCESS');
    expect([get(w, 0xff_ffff_f000n), get(w, 0x1000n)]).toEqual([0n, 0n]);
  });

  it('should clear exactly the named range, as one H_PUT_TCE of 0 per page would', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { maxLength: 12 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 1200 }), (written, from, n) => {
        const w = bigTable();
        for (const p of written) ok(w, put(BigInt(p) << 12n, 0x1003n));
        ok(w, stuff(BigInt(from) << 12n, BigInt(n)));
        for (const p of written) expect(get(w, BigInt(p) << 12n)).toBe(p >= from && p < from + n ? 0n : 0x1003n);
      }),
      { numRuns: 60 },
    );
  });
});
