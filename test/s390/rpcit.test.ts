/** Every RPCIT outcome of kernel-facts §2, reached through events only, for both designs. */
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../properties/index.js';
import { ev } from '../../src/events/types.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import type { World } from '../../src/model/world.js';
import { BUF, FH, IOVA, mpcifc, PT, pte, RT, rpcit, s390World, ST, u64be, write, type Design } from './fixture.js';

const DESIGNS: Design[] = ['userspace', 'kvm-shadow'];
const fn = (w: World) => w.zpci.get('zpci0')!;
const run = (w: World, e: Parameters<typeof applyEvent>[1]) => applyEvent(w, e);

describe.each(DESIGNS)('RPCIT (%s design)', (design) => {
  it('should give cc 0 and make the device DMA land in the guest page', () => {
    const w = s390World(design);
    run(w, pte(0, BUF));
    expect(run(w, rpcit(IOVA, 0x1000n))).toEqual({ code: 'CC0' });
    expect(run(w, ev('device.dma.write', { device: 'zpci0', iova: IOVA + 8n, data: Uint8Array.of(1, 2, 3) })).code).toBe('OK');
    expect(run(w, ev('guest.mem.read', { vm: 'vm0', gpa: BUF + 8n, len: 3 })).data).toEqual(Uint8Array.of(1, 2, 3));
    expect(checkProperties(w)).toEqual([]);
  });

  it('should keep a read-only guest entry read-only on the host', () => {
    const w = s390World(design);
    run(w, pte(0, BUF | 0x200n));
    expect(run(w, rpcit(IOVA, 0x1000n)).code).toBe('CC0');
    expect(run(w, ev('device.dma.write', { device: 'zpci0', iova: IOVA, data: Uint8Array.of(1) })).code).toBe('IOMMU_FAULT_WRITE');
    expect(run(w, ev('device.dma.read', { device: 'zpci0', iova: IOVA, len: 1 })).code).toBe('OK');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should give cc 3 for an unknown handle and for the disabled handle', () => {
    const w = s390World(design);
    expect(run(w, rpcit(IOVA, 0x1000n, 0x80000002)).code).toBe('CC3');
    expect(run(w, rpcit(IOVA, 0x1000n, 1)).code).toBe('CC3');
    expect(run(w, ev('guest.s390.clp.set_pci_fn', { vm: 'vm0', fh: FH, op: 'disable' })).code).toBe('CLP_RC_OK');
    expect(run(w, rpcit(IOVA, 0x1000n, FH)).code).toBe('CC3');
  });

  const walkErrors: [string, (w: World) => void, number][] = [
    ['INVALTE at the region level (entry 0)', (w) => run(w, write(RT + 16n, u64be(0n))), 0x7],
    ['INVALTE at the segment level (entry 0)', (w) => run(w, write(ST, u64be(0n))), 0x7],
    ['INVALTE at the page level (entry 0)', (w) => run(w, pte(0, 0n)), 0x7],
    ['INVALTL (region length bits not 3)', (w) => run(w, write(RT + 16n, u64be(ST | 0x6n))), 0x8],
    ['INVALTL (region offset bits set)', (w) => run(w, write(RT + 16n, u64be(ST | 0x47n))), 0x8],
    ['TT (region entry of the wrong type)', (w) => run(w, write(RT + 16n, u64be(ST | 0xbn))), 0x9],
    ['TT (segment entry of the wrong type)', (w) => run(w, write(ST, u64be(PT | 0x4n))), 0x9],
    ['TT (valid page entry with frame address 0)', (w) => run(w, pte(0, 0x200n)), 0x9],
  ];

  it.each(walkErrors)('should report %s with cc 1 status 8, an error event and the error state', (_name, plant, pec) => {
    const w = s390World(design);
    plant(w);
    expect(run(w, rpcit(IOVA, 0x1000n))).toEqual({ code: 'CC1', value: 8n });
    expect(fn(w).lc).toBe('error');
    expect(fn(w).errors).toEqual([{ pec, faddr: IOVA }]);
    // in the error state RPCIT answers cc 1 status 40 until MPCIFC reset-error.
    expect(run(w, rpcit(IOVA, 0x1000n))).toEqual({ code: 'CC1', value: 40n });
    expect(run(w, mpcifc('reset_error')).code).toBe('CC0');
    expect(fn(w).lc).toBe('enabled');
  });

  it('should report INVALAS without a registered IOAT and OORANGE outside pba..pal', () => {
    const w = s390World(design);
    expect(run(w, rpcit(IOVA + 0x10000n, 0x1000n))).toEqual({ code: 'CC1', value: 8n });
    expect(fn(w).errors).toEqual([{ pec: 0x2, faddr: IOVA + 0x10000n }]);
    run(w, mpcifc('reset_error'));
    expect(run(w, rpcit(IOVA - 0x2000n, 0x1000n))).toEqual({ code: 'CC1', value: 8n });
    run(w, mpcifc('reset_error'));
    expect(run(w, mpcifc('dereg_ioat')).code).toBe('CC0');
    expect(run(w, rpcit(IOVA, 0x1000n))).toEqual({ code: 'CC1', value: 8n });
    expect(fn(w).errors.map((x) => x.pec)).toEqual([0x2, 0x2, 0x1]);
  });

  it('should treat IOVAs at or above 4 TiB as out of range instead of aliasing', () => {
    const w = s390World(design);
    // a FIB whose range reaches past 4 TiB: 4 TiB + 4 GiB would alias RTX 2 if indices were masked.
    run(w, mpcifc('dereg_ioat'));
    run(w, write(0x1000n, new Uint8Array(80)));
    run(w, write(0x1010n, u64be(IOVA)));
    run(w, write(0x1018n, u64be((1n << 43n) - 1n)));
    run(w, write(0x1020n, u64be(RT | 0x804n)));
    expect(run(w, mpcifc('reg_ioat')).code).toBe('CC0');
    run(w, pte(0, BUF));
    expect(run(w, rpcit((1n << 42n) + IOVA, 0x1000n))).toEqual({ code: 'CC1', value: 8n });
    expect(fn(w).errors).toEqual([{ pec: 0x2, faddr: (1n << 42n) + IOVA }]);
    expect(run(w, ev('device.dma.read', { device: 'zpci0', iova: (1n << 42n) + IOVA, len: 1 })).code).toBe('IOMMU_FAULT_NOT_PRESENT');
  });

  it('should let a global refresh drop what the guest no longer maps', () => {
    const w = s390World(design);
    for (let i = 0; i < 4; i++) run(w, pte(i, BUF + BigInt(i) * 0x1000n));
    expect(run(w, rpcit(IOVA, 0x4000n)).code).toBe('CC0');
    for (let i = 0; i < 4; i++) run(w, pte(i, 0x400n));
    expect(run(w, ev('guest.s390.refresh_all', { vm: 'vm0', fh: FH })).code).toBe('CC0');
    for (let i = 0; i < 4; i++) expect(run(w, ev('device.dma.read', { device: 'zpci0', iova: IOVA + BigInt(i) * 0x1000n, len: 1 })).code).toBe('IOMMU_FAULT_NOT_PRESENT');
    expect(checkProperties(w)).toEqual([]);
  });
});

describe('RPCIT insufficient resources', () => {
  it('userspace: should give cc 1 status 16 when QEMU\'s VFIO mapping budget runs out, and recover after a global refresh', () => {
    const w = s390World('userspace', 4096, { dmaEntryLimit: 2 });
    for (let i = 0; i < 3; i++) run(w, pte(i, BUF + BigInt(i) * 0x1000n));
    expect(run(w, rpcit(IOVA, 0x3000n))).toEqual({ code: 'CC1', value: 16n });
    expect(w.containers.get('c0')!.iommu!.dmas.length).toBe(2);
    for (let i = 0; i < 3; i++) run(w, pte(i, 0x400n));
    run(w, pte(2, BUF + 0x2000n));
    expect(run(w, ev('guest.s390.refresh_all', { vm: 'vm0', fh: FH })).code).toBe('CC0');
    expect(w.containers.get('c0')!.iommu!.dmas.map((d) => d.iovaPage)).toEqual([Number((IOVA >> 12n) + 2n)]);
    expect(checkProperties(w)).toEqual([]);
  });

  // dma_shadow_cpu_trans: a page it cannot pin is -EIO, which handle_rpcit reports as cc 1 status 16 (not -ENOMEM's 4).
  it('kvm-shadow: should give cc 1 status 16 when a new page would pass RLIMIT_MEMLOCK, changing nothing', () => {
    const w = s390World('kvm-shadow');
    // exactly no room left: the limit equals what the region, segment and page tables already charge.
    run(w, ev('host.rlimit.set', { mm: 'qemu', memlock: BigInt(w.mms.get('qemu')!.lockedVm) * 4096n }));
    run(w, pte(0, BUF));
    const before = JSON.stringify([...fn(w).shadow]);
    expect(run(w, rpcit(IOVA, 0x1000n))).toEqual({ code: 'CC1', value: 16n });
    expect(JSON.stringify([...fn(w).shadow])).toBe(before);
    expect(checkProperties(w)).toEqual([]);
  });

  it('kvm-shadow: should give cc 3 when a guest entry points outside guest memory', () => {
    const w = s390World('kvm-shadow');
    run(w, pte(0, 0x4000_0000n));
    expect(run(w, rpcit(IOVA, 0x1000n)).code).toBe('CC3');
    expect(checkProperties(w)).toEqual([]);
  });
});

describe('MPCIFC', () => {
  it('should refuse bad FIBs and out-of-sequence operations with QEMU\'s codes', () => {
    const w = s390World('userspace');
    expect(run(w, mpcifc('reg_ioat'))).toEqual({ code: 'CC1', value: 24n });
    expect(run(w, mpcifc('dereg_ioat', 0x1000n, 1))).toEqual({ code: 'CC1', value: 28n });
    expect(run(w, mpcifc('reset_block'))).toEqual({ code: 'CC1', value: 24n });
    expect(run(w, mpcifc('dereg_ioat')).code).toBe('CC0');
    expect(run(w, mpcifc('dereg_ioat'))).toEqual({ code: 'CC1', value: 24n });
    expect(run(w, mpcifc('rereg_ioat'))).toEqual({ code: 'CC1', value: 24n });
    expect(run(w, mpcifc('reg_ioat', 0x2000000n)).code).toBe('PGM_ADDRESSING');
    expect(run(w, mpcifc('reg_ioat', 0x1001n)).code).toBe('PGM_SPECIFICATION');
    // pba below sdma, pal above edma, pba > pal, a non-RTTO designation, t = 0, and fmt != 0.
    for (const [pba, pal, iota, fmt] of [
      [0n, IOVA, RT | 0x804n, 0], [IOVA, 1n << 57n, RT | 0x804n, 0], [IOVA + 0x2000n, IOVA, RT | 0x804n, 0],
      [IOVA, IOVA + 0xffffn, RT | 0x808n, 0], [IOVA, IOVA + 0xffffn, RT | 0x4n, 0], [IOVA, IOVA + 0xffffn, RT | 0x804n, 1],
    ] as const) {
      const bytes = new Uint8Array(80);
      const dv = new DataView(bytes.buffer);
      bytes[0] = fmt;
      dv.setBigUint64(16, pba, false);
      dv.setBigUint64(24, pal, false);
      dv.setBigUint64(32, iota, false);
      run(w, write(0x1000n, bytes));
      expect(run(w, mpcifc('reg_ioat')).code).toBe('PGM_OPERAND');
    }
    expect(fn(w).ioat).toBeUndefined();
  });

  it('should move between error, blocked and enabled with reset-block and reset-error', () => {
    const w = s390World('userspace');
    run(w, pte(0, 0n));
    run(w, rpcit(IOVA, 0x1000n));
    expect(run(w, mpcifc('reset_block')).code).toBe('CC0');
    expect(fn(w).lc).toBe('blocked');
    expect(run(w, mpcifc('reset_block'))).toEqual({ code: 'CC1', value: 24n });
    expect(run(w, mpcifc('reset_error')).code).toBe('CC0');
    expect(fn(w).lc).toBe('enabled');
  });
});
