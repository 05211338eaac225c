/** 64-bit edges: 0, 2^53±1, 2^59, 2^64−1, and every iova + size − 1 wrap check, where numbers would lose bits. */
import { describe, expect, it } from 'vitest';
import { ev } from '../../src/events/types.js';
import { eventToLine } from '../../src/events/serialize.js';
import { readLog } from '../../src/log/read-log.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld } from '../../src/model/world.js';
import { IOVA, rpcit, s390World } from '../s390/fixture.js';
import { e, map, ok, setupWorld } from '../support/fixture.js';

const MAX = (1n << 64n) - 1n;
const P53 = 1n << 53n;
const P59 = 1n << 59n;

describe('64-bit values in logs', () => {
  it.each([0n, P53 - 1n, P53, P53 + 1n, P59, MAX - 4096n, MAX])('should parse and write %s back without losing a bit', (v) => {
    const line = eventToLine(ev('host.rlimit.set', { mm: 'q', memlock: v }));
    const r = readLog(`{"type":"host.process.spawn","mm":"q"}\n${line}`, 'f');
    expect(r.ok && r.entries[1].event).toMatchObject({ memlock: v });
    expect(line).toContain(`"0x${v.toString(16)}"`);
  });
});

describe('wrap checks', () => {
  it('MAP_DMA: iova + size - 1 reaching exactly 2^64-1 is no wrap (then out of the aperture); one page more wraps', () => {
    const w = setupWorld();
    expect(applyEvent(w, e('vmm.vfio.dma.map', { container: 'c0', vaddr: 0x7f00_0000_0000n, iova: MAX - 4095n, size: 4096n })).code).toBe('EINVAL');
    expect(applyEvent(w, e('vmm.vfio.dma.map', { container: 'c0', vaddr: 0x7f00_0000_0000n, iova: MAX - 4095n, size: 8192n })).code).toBe('EINVAL');
    expect(applyEvent(w, e('vmm.vfio.dma.map', { container: 'c0', vaddr: MAX - 4095n, iova: 0n, size: 8192n })).code).toBe('EINVAL');
    expect(applyEvent(w, e('vmm.vfio.dma.map', { container: 'c0', vaddr: 0x7f00_0000_0000n, iova: P59, size: 4096n })).code).toBe('EINVAL');
    expect(w.containers.get('c0')!.iommu!.dmas).toEqual([]);
  });

  it('UNMAP_DMA: a range ending at 2^64-1 covers nothing; one that wraps is refused', () => {
    const w = setupWorld();
    ok(w, map(0, 1, 0));
    expect(applyEvent(w, e('vmm.vfio.dma.unmap', { container: 'c0', iova: MAX - 4095n, size: 4096n }))).toEqual({ code: 'OK', value: 0n });
    expect(applyEvent(w, e('vmm.vfio.dma.unmap', { container: 'c0', iova: MAX - 4095n, size: 8192n })).code).toBe('EINVAL');
    expect(w.containers.get('c0')!.iommu!.dmas.length).toBe(1);
  });

  it('mmap, guest and device accesses that would wrap past 2^64-1 are refused or fault', () => {
    const w = setupWorld();
    expect(applyEvent(w, e('vmm.mmap', { mm: 'qemu', hva: MAX - 4095n, size: 4096n })).code).toBe('OK');
    expect(applyEvent(w, e('vmm.mmap', { mm: 'qemu', hva: MAX - 8191n, size: 8192n })).code).toBe('EEXIST');
    expect(applyEvent(w, e('vmm.mem.write', { mm: 'qemu', hva: MAX, data: Uint8Array.of(1, 2) })).code).toBe('EFAULT');
    expect(applyEvent(w, e('vmm.mem.write', { mm: 'qemu', hva: MAX, data: Uint8Array.of(7) })).code).toBe('OK');
    expect(applyEvent(w, e('guest.mem.write', { vm: 'vm0', gpa: MAX, data: Uint8Array.of(1, 2) })).code).toBe('EFAULT');
    expect(applyEvent(w, e('device.dma.read', { device: 'nic0', iova: MAX, len: 2 })).code).toBe('IOMMU_FAULT_NOT_PRESENT');
  });

  it('guest memory just above 2^53 keeps every address bit (s390: no stage-2 bound in the model)', () => {
    const w = emptyWorld();
    for (const x of [
      e('host.boot', { arch: 's390' }),
      e('host.process.spawn', { mm: 'q' }),
      e('vmm.mmap', { mm: 'q', hva: P53 + 0x1000n, size: 0x2000n }),
      e('vmm.kvm.create_vm', { vm: 'v', mm: 'q' }),
      e('vmm.kvm.set_user_memory_region', { vm: 'v', slot: 0, gpa: P53 + 0x1000n, size: 0x2000n, hva: P53 + 0x1000n }),
      e('guest.mem.write', { vm: 'v', gpa: P53 + 0x1ffen, data: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd) }),
    ]) ok(w, x);
    expect(applyEvent(w, e('guest.mem.read', { vm: 'v', gpa: P53 + 0x1ffen, len: 4 })).data).toEqual(Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd));
    // one byte lower is another address: it must not alias.
    expect(applyEvent(w, e('guest.mem.read', { vm: 'v', gpa: P53 + 0x1ffdn, len: 1 })).data).toEqual(Uint8Array.of(0));
  });

  it('x86 refuses a memslot beyond the 48-bit stage-2 table, and one of 2^31 pages', () => {
    const w = emptyWorld();
    ok(w, e('host.process.spawn', { mm: 'q' }));
    ok(w, e('vmm.kvm.create_vm', { vm: 'v', mm: 'q' }));
    expect(applyEvent(w, e('vmm.kvm.set_user_memory_region', { vm: 'v', slot: 0, gpa: P53, size: 0x1000n, hva: 0x1000n })).code).toBe('EINVAL');
    expect(applyEvent(w, e('vmm.kvm.set_user_memory_region', { vm: 'v', slot: 0, gpa: (1n << 48n) - 0x1000n, size: 0x2000n, hva: 0x1000n })).code).toBe('EINVAL');
    expect(applyEvent(w, e('vmm.kvm.set_user_memory_region', { vm: 'v', slot: 0, gpa: 0n, size: 1n << 43n, hva: 0x1000n })).code).toBe('EINVAL');
    expect(applyEvent(w, e('vmm.kvm.set_user_memory_region', { vm: 'v', slot: 0, gpa: (1n << 48n) - 0x1000n, size: 0x1000n, hva: 0x1000n })).code).toBe('OK');
  });

  it('RPCIT: a length that wraps the end past 2^64 is out of range; 2^59 and 2^64-4096 are out of range', () => {
    for (const [iova, len] of [[IOVA, MAX], [P59, 4096n], [MAX - 4095n, 4096n]] as const) {
      const w = s390World('userspace');
      expect(applyEvent(w, rpcit(iova, len))).toEqual({ code: 'CC1', value: 8n });
      expect(w.zpci.get('zpci0')!.errors[0].pec).toBe(0x2);
    }
  });
});
