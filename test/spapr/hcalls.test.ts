/** KVM TCE tables and the TCE hypercalls: every return code of kernel-facts §7.3 and §7.5, through events only. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { isOutcomeCode } from '../../src/model/codes.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { u64Bytes } from '../../src/memory/bits.js';
import { applyChecked } from '../support/checked.js';
import { ok } from '../support/fixture.js';

const HVA = 0x7f00_0000_0000n;
const LIOBN = 0x80000000n;
const DDW = 0x80000001n;
const P59 = 1n << 59n;

/** A POWER guest with 1 MiB of RAM, a 1 GiB 4 KiB-page default window at 0 and a 64-bit window at 2^59. */
function guest(memlockPages = 4096): World {
  const w = emptyWorld();
  for (const e of [
    ev('host.boot', { arch: 'ppc64' }),
    ev('host.process.spawn', { mm: 'qemu', memlock: BigInt(memlockPages) * 4096n }),
    ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x10_0000n }),
    ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x10_0000n, hva: HVA }),
    ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't32', liobn: LIOBN, pageShift: 12, offset: 0n, size: 0x40000n }),
    ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't64', liobn: DDW, pageShift: 16, offset: P59 >> 16n, size: 0x1000n }),
  ]) ok(w, e);
  return w;
}

const run = (w: World, e: ModelEvent) => applyEvent(w, e);
const put = (liobn: bigint, ioba: bigint, tce: bigint) => ev('guest.spapr.h_put_tce', { vm: 'vm0', liobn, ioba, tce });
const get = (liobn: bigint, ioba: bigint) => ev('guest.spapr.h_get_tce', { vm: 'vm0', liobn, ioba });
const stuff = (liobn: bigint, ioba: bigint, tceValue: bigint, npages: bigint) => ev('guest.spapr.h_stuff_tce', { vm: 'vm0', liobn, ioba, tceValue, npages });
const indirect = (liobn: bigint, ioba: bigint, tceList: bigint, npages: bigint) => ev('guest.spapr.h_put_tce_indirect', { vm: 'vm0', liobn, ioba, tceList, npages });

describe('KVM_CREATE_SPAPR_TCE_64', () => {
  it('should charge kvmppc_stt_pages up front and return it on close', () => {
    const w = guest();
    // 0x40000 TCEs: 512 backing pages + ceil((128 + 512*8)/4096) = 2 descriptor pages; 0x1000 TCEs: 8 + 1.
    expect(w.mms.get('qemu')!.lockedVm).toBe(514 + 9);
    expect(run(w, ev('vmm.kvm.spapr_tce.close', { table: 't64' })).code).toBe('OK');
    expect(w.mms.get('qemu')!.lockedVm).toBe(514);
  });

  it('should refuse a bad geometry with EINVAL, a charge over the limit with ENOMEM and a LIOBN in use with EBUSY', () => {
    const w = guest(600);
    const create = (f: Partial<{ liobn: bigint; pageShift: number; offset: bigint; size: bigint }>) =>
      run(w, ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 'tx', liobn: 7n, pageShift: 12, offset: 0n, size: 16n, ...f })).code;
    expect(create({ size: 0n })).toBe('EINVAL');
    expect(create({ pageShift: 11 })).toBe('EINVAL');
    expect(create({ pageShift: 35 })).toBe('EINVAL');
    expect(create({ offset: (1n << 52n) - 8n, size: 16n })).toBe('EINVAL');
    expect(create({ size: 0x40000n })).toBe('ENOMEM');
    expect(create({ liobn: LIOBN, size: 0x40000n })).toBe('ENOMEM');
    expect(create({ liobn: LIOBN })).toBe('EBUSY');
    expect(create({})).toBe('OK');
  });
});

describe('H_PUT_TCE and H_GET_TCE', () => {
  it('should store and return a TCE, in the 32-bit window and above 2^53 in the 64-bit one', () => {
    const w = guest();
    expect(run(w, put(LIOBN, 0x5000n, 0x3000n | 3n))).toEqual({ code: 'H_SUCCESS' });
    expect(run(w, get(LIOBN, 0x5000n))).toEqual({ code: 'H_SUCCESS', value: 0x3003n });
    expect(run(w, put(DDW, P59 + 0x30000n, 0x20000n | 1n))).toEqual({ code: 'H_SUCCESS' });
    expect(run(w, get(DDW, P59 + 0x30000n))).toEqual({ code: 'H_SUCCESS', value: 0x20001n });
    expect(run(w, get(DDW, P59 + 0x40000n))).toEqual({ code: 'H_SUCCESS', value: 0n });
    expect(w.stats.vmExits).toBe(0);
  });

  it('should answer H_PARAMETER for a misaligned IOBA and one outside the window', () => {
    const w = guest();
    expect(run(w, put(LIOBN, 0x5008n, 0x3003n)).code).toBe('H_PARAMETER');
    expect(run(w, put(LIOBN, 0x4000_0000n, 0x3003n)).code).toBe('H_PARAMETER');
    expect(run(w, put(DDW, 0x30000n, 0x20001n)).code).toBe('H_PARAMETER');
    expect(run(w, get(LIOBN, 0x5008n)).code).toBe('H_PARAMETER');
  });

  it('should hand an unknown LIOBN to the VMM, which answers H_PARAMETER', () => {
    const w = guest();
    expect(run(w, put(0x1234n, 0n, 0x3003n)).code).toBe('H_PARAMETER');
    expect(run(w, get(0x1234n, 0n)).code).toBe('H_PARAMETER');
    expect(w.stats.vmExits).toBe(2);
  });

  it('should hand a TCE KVM cannot validate (misaligned, outside guest memory) to the VMM, which stores it unchecked', () => {
    const w = guest();
    expect(run(w, put(DDW, P59, 0x1000n | 3n)).code).toBe('H_SUCCESS'); // 4 KiB-aligned, not 64 KiB
    expect(run(w, put(LIOBN, 0x1000n, 0x8000_0000n | 3n)).code).toBe('H_SUCCESS');
    expect(w.stats.vmExits).toBe(2);
    expect(run(w, get(LIOBN, 0x1000n)).value).toBe(0x8000_0003n);
  });

  it('should not allocate a backing page to store a cleared TCE', () => {
    const w = guest();
    const frames = w.frames.owner.size;
    expect(run(w, put(LIOBN, 0x9000n, 0n)).code).toBe('H_SUCCESS');
    expect(w.frames.owner.size).toBe(frames);
  });
});

describe('H_STUFF_TCE', () => {
  it('should clear a range, and refuse a value with R or W set or a range past the window', () => {
    const w = guest();
    run(w, put(LIOBN, 0x2000n, 0x3003n));
    expect(run(w, stuff(LIOBN, 0x2000n, 3n, 4n)).code).toBe('H_PARAMETER');
    expect(run(w, stuff(LIOBN, 0x4000_0000n - 0x1000n, 0n, 2n)).code).toBe('H_PARAMETER');
    expect(run(w, stuff(LIOBN, 0x1000n, 0n, 4n)).code).toBe('H_SUCCESS');
    expect(run(w, get(LIOBN, 0x2000n)).value).toBe(0n);
    expect(run(w, stuff(0x99n, 0n, 0n, 1n)).code).toBe('H_PARAMETER');
  });
});

describe('H_PUT_TCE_INDIRECT', () => {
  const list = (w: World, at: bigint, tces: bigint[]) => ok(w, ev('guest.mem.write', { vm: 'vm0', gpa: at, data: Uint8Array.from(tces.flatMap((t) => [...u64Bytes(t, 'be')])) }));

  it('should validate every big-endian entry first, then store them all', () => {
    const w = guest();
    list(w, 0x8000n, [0x3003n, 0x4001n, 0n]);
    expect(run(w, indirect(LIOBN, 0x10000n, 0x8000n, 3n)).code).toBe('H_SUCCESS');
    expect([0x10000n, 0x11000n, 0x12000n].map((a) => run(w, get(LIOBN, a)).value)).toEqual([0x3003n, 0x4001n, 0n]);
  });

  it('should refuse 513 entries and a list that is not 4 KiB aligned, and hand a list outside guest memory to the VMM', () => {
    const w = guest();
    expect(run(w, indirect(LIOBN, 0n, 0x8000n, 513n)).code).toBe('H_PARAMETER');
    expect(run(w, indirect(LIOBN, 0n, 0x8008n, 2n)).code).toBe('H_PARAMETER');
    expect(run(w, indirect(LIOBN, 0x8n, 0x8000n, 2n)).code).toBe('H_PARAMETER');
    expect(run(w, indirect(LIOBN, 0n, 0x4000_0000n, 2n)).code).toBe('H_SUCCESS');
    expect(w.stats.vmExits).toBe(1);
  });

  it('should leave the call to the VMM when KVM cannot validate a later entry (KVM stores none; the VMM stores every entry)', () => {
    const w = guest();
    list(w, 0x8000n, [0x3003n, 0x5803n]); // second entry misaligned: H_TOO_HARD, the VMM stores both
    expect(run(w, indirect(LIOBN, 0x10000n, 0x8000n, 2n)).code).toBe('H_SUCCESS');
    expect(w.stats.vmExits).toBe(1);
    expect(run(w, get(LIOBN, 0x11000n)).value).toBe(0x5803n);
  });

  it('should fail with H_PARAMETER in the store loop at a DMA_NONE entry outside guest memory, after storing earlier ones (as the kernel does)', () => {
    const w = guest();
    list(w, 0x8000n, [0x3003n, 0x4000_0000n]);
    expect(run(w, indirect(LIOBN, 0x10000n, 0x8000n, 2n)).code).toBe('H_PARAMETER');
    expect(run(w, get(LIOBN, 0x10000n)).value).toBe(0x3003n);
  });
});

describe('hostile hypercall arguments', () => {
  it('should never throw and always answer with a real code, keeping every property', () => {
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, 0x1000n, 0x8000n, P59, P59 + 0x10000n, (1n << 64n) - 1n), fc.integer({ min: 0, max: 300 }).map((p) => BigInt(p) << 12n));
    const liobn = fc.constantFrom(LIOBN, DDW, 0n, 0x1234n);
    const call = fc.oneof(
      fc.tuple(liobn, u64, u64).map(([l, i, t]) => put(l, i, t)),
      fc.tuple(liobn, u64).map(([l, i]) => get(l, i)),
      fc.tuple(liobn, u64, u64, fc.oneof(u64, fc.constantFrom(1n, 512n, 513n))).map(([l, i, t, n]) => stuff(l, i, t & 0xffffn, n)),
      fc.tuple(liobn, u64, u64, fc.constantFrom(0n, 1n, 2n, 511n, 512n, 513n)).map(([l, i, t, n]) => indirect(l, i, t, n)),
      fc.tuple(u64, fc.uint8Array({ maxLength: 64 })).map(([gpa, data]) => ev('guest.mem.write', { vm: 'vm0', gpa: gpa & 0xfffffn, data })),
    );
    let tried = 0;
    fc.assert(
      fc.property(fc.array(call, { maxLength: 30 }), (calls) => {
        tried++;
        const w = guest();
        for (const c of calls) {
          const { outcome, violations } = applyChecked(w, c);
          expect(isOutcomeCode(outcome.code), `${c.type} -> ${outcome.code}`).toBe(true);
          expect(violations).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
    expect(tried).toBe(200);
  });
});
