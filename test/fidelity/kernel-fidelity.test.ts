/**
 * Where the model follows a specific kernel answer (issue "Fidelity"): architecture gating, the
 * sPAPR TCE_64 flags, preregistration per process, unregister while mapped by kernel version,
 * TCE_REMOVE by any address in the window, the kvm-shadow pin failure status, the cost counters
 * of a refused MAP_DMA, and EOVERFLOW by kernel version. Each also has a bundled log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCH_ONLY, ARCHES, archRefusal } from '../../src/events/arch.js';
import type { EventType, ModelEvent } from '../../src/events/types.js';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { registerDesign } from '../../src/ops/registry.js';
import { e, err, HVA, ok, setupEvents } from '../support/fixture.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');
const LOG_OF_ARCH = { x86: 'refusals/x86.jsonl', s390: 'refusals/s390.jsonl', ppc64: 'refusals/spapr.jsonl' } as const;

function entries(file: string) {
  const r = readLog(readFileSync(join(EXAMPLES, file), 'utf8'), file);
  if (!r.ok) throw r.error;
  return r.entries;
}

function world(arch: 'x86' | 's390' | 'ppc64', kernel = '', memlockPages = 1024): World {
  const w = emptyWorld();
  ok(w, e('host.boot', { arch, kernel }));
  // off x86 the container's IOMMU is the test's to set (sPAPR: 7), and no device fd is needed.
  for (const x of setupEvents(memlockPages).filter((x) => arch === 'x86' || (x.type !== 'vmm.vfio.set_iommu' && x.type !== 'vmm.vfio.group.get_device_fd'))) ok(w, x);
  return w;
}

describe('architecture gating', () => {
  it('should have every architecture-specific event refused on every other architecture in that architecture\'s refusal log', () => {
    for (const arch of ARCHES) {
      const seen = new Map(entries(LOG_OF_ARCH[arch]).filter((x) => x.expect).map((x) => [`${x.event.type} ${x.expect!.code}`, true]));
      for (const type of Object.keys(ARCH_ONLY) as EventType[]) {
        const code = archRefusal(arch, type);
        if (code) expect(seen.has(`${type} ${code}`), `${arch}: ${type} ${code}`).toBe(true);
      }
    }
  });

  it('should answer a guest instruction of another architecture with its CPU\'s exception, changing nothing', () => {
    const guest = (Object.keys(ARCH_ONLY) as EventType[]).filter((t) => ARCH_ONLY[t]!.elsewhere === 'instruction');
    expect(guest.length).toBe(8);
    for (const arch of ARCHES) {
      const w = world(arch);
      const before = JSON.stringify([...w.vms.values()]);
      for (const type of guest) {
        if (ARCH_ONLY[type]!.on.includes(arch)) continue;
        const x = { type, vm: 'vm0', fh: 1, op: 'enable', fc: 'reg_ioat', fib: 0x1000n, dmaas: 0, iova: 0n, len: 0x1000n, liobn: 1n, ioba: 0n, tce: 3n, tceList: 0n, tceValue: 0n, npages: 1n } as unknown as ModelEvent;
        expect(applyEvent(w, x).code, `${arch} ${type}`).toBe({ x86: 'X86_UD', s390: 'PGM_OPERATION', ppc64: 'PPC_ILLEGAL' }[arch]);
      }
      expect(JSON.stringify([...w.vms.values()])).toBe(before);
    }
  });

  it('should refuse host.boot of a design made for another architecture, and a design naming an unknown one', () => {
    for (const [design, arch] of [['s390-kvm-shadow', 'x86'], ['liobn-to-group', 's390'], ['stage2-shared-dirty-bits', 'ppc64'], ['kvm-domain-lent-flag', 'ppc64']] as const) {
      err(emptyWorld(), 'EINVAL', e('host.boot', { arch, design }));
    }
    ok(emptyWorld(), e('host.boot', { arch: 's390', design: 'kvm-domain-lent-flag' }));
    expect(() => registerDesign({ name: 'arch-typo', description: 'x', config: { arch: ['arm64' as 'x86'] } })).toThrow(/config.arch must be a non-empty list of x86, s390, ppc64/);
  });
});

describe('sPAPR', () => {
  const spapr = (kernel = '') => {
    const w = world('ppc64', kernel);
    for (const x of [
      e('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
      e('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr: HVA, size: 0x8000n }),
      e('vmm.vfio.dma.map', { container: 'c0', iova: 0x1000n, vaddr: HVA, size: 0x1000n, flags: 3 }),
    ]) ok(w, x);
    return w;
  };
  const unregister = e('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr: HVA, size: 0x8000n });

  it('should refuse KVM_CREATE_SPAPR_TCE_64 with any flag (EINVAL) and create nothing', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 0xffff_ffff }), (flags) => {
      const w = spapr();
      err(w, 'EINVAL', e('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't', liobn: 1n, pageShift: 12, offset: 0n, size: 0x100n, flags }));
      expect(w.tceTables.size).toBe(0);
    }), { numRuns: 30 });
  });

  it('should answer an unregister of a mapped region by kernel version: EBUSY before 5.0, 0 since (the process keeps it pinned)', () => {
    const old = spapr('4.19');
    const pinsBefore = JSON.stringify([...old.pins]);
    err(old, 'EBUSY', unregister);
    expect(JSON.stringify([...old.pins])).toBe(pinsBefore);
    expect(old.containers.get('c0')!.spapr!.prereg.length).toBe(1);
    for (const kernel of ['', '5.0', '6.12']) {
      const w = spapr(kernel);
      ok(w, unregister);
      expect(w.containers.get('c0')!.spapr!.prereg).toEqual([]);
      const r = w.mms.get('qemu')!.iommuMem[0];
      expect({ used: r.used, mapped: r.mapped }).toEqual({ used: 1, mapped: 1 });
      expect(w.mms.get('qemu')!.lockedVm).toBeGreaterThanOrEqual(8);
      err(w, 'ENOENT', unregister);
    }
  });

  it('should hold regions per process: an identical registration from another container charges nothing, an overlapping one is EINVAL', () => {
    const r = replay(entries('fidelity/spapr-prereg-per-process.jsonl'));
    expect(r.mismatches).toBe(0);
    expect(r.violated).toBeUndefined();
    expect(r.world.mms.get('qemu')!.iommuMem.map((x) => ({ page: x.vaddrPage, used: x.used }))).toEqual([{ page: Number((HVA + 0x4000n) >> 12n), used: 1 }]);
  });

  it('should remove a window by any bus address inside it, and refuse one outside every window', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 24n) - 1n }), (off) => {
      const w = spapr();
      ok(w, e('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 1n << 24n }));
      err(w, 'EINVAL', e('vmm.vfio.spapr.tce_remove', { container: 'c0', startAddr: (1n << 59n) + (1n << 24n) + off }));
      ok(w, e('vmm.vfio.spapr.tce_remove', { container: 'c0', startAddr: (1n << 59n) + off }));
      expect(w.containers.get('c0')!.spapr!.windows[1]).toBeNull();
    }), { numRuns: 30 });
  });
});

describe('type1', () => {
  it('should count the pins and unpins of a MAP_DMA refused over RLIMIT_MEMLOCK, leaving the frames as they were', () => {
    const w = world('x86', '', 4);
    ok(w, e('vmm.vfio.dma.map', { container: 'c0', iova: 0n, vaddr: HVA, size: 0x3000n, flags: 3 }));
    const pins = JSON.stringify([...w.pins]);
    const before = { ...w.stats };
    err(w, 'ENOMEM', e('vmm.vfio.dma.map', { container: 'c0', iova: 0x10000n, vaddr: HVA + 0x10000n, size: 0x8000n, flags: 3 }));
    // vaddr_get_pfns pinned the batch (8 pages), the limit check failed at the second, unpin_out put them all back.
    expect(w.stats.pins - before.pins).toBe(8);
    expect(w.stats.unpins - before.unpins).toBe(8);
    expect(JSON.stringify([...w.pins])).toBe(pins);
  });

  it('should answer a wrapping MAP/UNMAP with EINVAL up to 6.18 and EOVERFLOW from 6.19, and refuse a malformed version at boot', () => {
    const wrap = e('vmm.vfio.dma.map', { container: 'c0', iova: (1n << 64n) - 0x1000n, vaddr: HVA, size: 0x2000n, flags: 3 });
    const unwrap = e('vmm.vfio.dma.unmap', { container: 'c0', iova: (1n << 64n) - 0x1000n, size: 0x2000n });
    for (const [kernel, code] of [['', 'EINVAL'], ['6.12', 'EINVAL'], ['6.18', 'EINVAL'], ['6.19', 'EOVERFLOW'], ['7.0', 'EOVERFLOW']] as const) {
      const w = world('x86', kernel);
      err(w, code, wrap);
      err(w, code, unwrap);
    }
    for (const bad of ['six', '6', '6.12.1', 'v6.1']) err(emptyWorld(), 'EINVAL', e('host.boot', { arch: 'x86', kernel: bad }));
    const r = replay(entries('fidelity/type1-overflow-6.19.jsonl'));
    expect(r.mismatches).toBe(0);
  });
});
