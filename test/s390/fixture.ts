/**
 * An s390 guest with one zPCI function, enabled, tables built in guest memory through events:
 * region table at 0x10000 (RTE[2] covers IOVA 4 GiB..6 GiB), segment table at 0x14000, page table
 * at 0x18000 with PTE[0..15] invalid, FIB at 0x1000 registering pba 4 GiB .. pal 4 GiB + 64 KiB - 1.
 */
import { ev, type ModelEvent } from '../../src/events/types.js';
import { applyEvent } from '../../src/model/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { ok } from '../support/fixture.js';

export const FH = 0x80000001;
export const IOVA = 0x1_0000_0000n;
export const RT = 0x10000n;
export const ST = 0x14000n;
export const PT = 0x18000n;
export const FIB_GPA = 0x1000n;
export const BUF = 0x200000n;
export const HVA = 0x3ff_0000_0000n;
export type Design = 'userspace' | 'kvm-shadow';

export const u64be = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, false);
  return b;
};

export function fib(pba: bigint, pal: bigint, iota: bigint, fmt = 0): Uint8Array {
  const b = new Uint8Array(80);
  const dv = new DataView(b.buffer);
  b[0] = fmt;
  dv.setBigUint64(16, pba, false);
  dv.setBigUint64(24, pal, false);
  dv.setBigUint64(32, iota, false);
  return b;
}

export const write = (gpa: bigint, data: Uint8Array) => ev('guest.mem.write', { vm: 'vm0', gpa, data });
export const rpcit = (iova: bigint, len: bigint, fh = FH) => ev('guest.s390.rpcit', { vm: 'vm0', fh, iova, len });
export const mpcifc = (fc: 'reg_ioat' | 'dereg_ioat' | 'rereg_ioat' | 'reset_error' | 'reset_block', fibGpa = FIB_GPA, dmaas = 0) =>
  ev('guest.s390.mpcifc', { vm: 'vm0', fh: FH, fc, fib: fibGpa, dmaas });
export const pte = (i: number, value: bigint) => write(PT + BigInt(i) * 8n, u64be(value));

export function s390Events(design: Design, memlockPages = 4096, extra: { dmaEntryLimit?: number } = {}): ModelEvent[] {
  return [
    ev('host.boot', { arch: 's390' }),
    ev('host.process.spawn', { mm: 'qemu', memlock: BigInt(memlockPages) * 4096n }),
    ...(extra.dmaEntryLimit !== undefined ? [ev('host.vfio.dma_entry_limit', { limit: extra.dmaEntryLimit })] : []),
    ev('host.pci.device.add', { device: 'zpci0', group: 'g1' }),
    ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x100_0000n }),
    ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x100_0000n, hva: HVA }),
    ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
    ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    ev('vmm.vfio.group.open', { group: 'g1', mm: 'qemu' }),
    ev('vmm.vfio.group.set_container', { group: 'g1', container: 'c0' }),
    ev('vmm.vfio.set_iommu', { container: 'c0', iommu: design === 'userspace' ? 3 : 11 }),
    ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g1' }),
    ev('vmm.vfio.group.get_device_fd', { group: 'g1', device: 'zpci0', fd: 'zf' }),
    ev('vmm.s390.zpci.plug', { vm: 'vm0', device: 'zpci0', fh: 1, design }),
    ev('guest.s390.clp.set_pci_fn', { vm: 'vm0', fh: 1, op: 'enable' }),
    write(RT + 2n * 8n, u64be(ST | 0x7n)),
    write(ST, u64be(PT)),
    ...Array.from({ length: 16 }, (_, i) => pte(i, 0x400n)),
    write(FIB_GPA, fib(IOVA, IOVA + 0xffffn, RT | 0x804n)),
  ];
}

/** The guest set up with its IOAT registered. */
export function s390World(design: Design, memlockPages = 4096, extra: { dmaEntryLimit?: number } = {}): World {
  const w = emptyWorld();
  for (const e of s390Events(design, memlockPages, extra)) {
    const o = applyEvent(w, e);
    if (o.code !== 'OK' && o.code !== 'CLP_RC_OK') throw new Error(`${e.type}: ${o.code}`);
  }
  ok2(w, mpcifc('reg_ioat'));
  return w;
}

function ok2(w: World, e: ModelEvent) {
  const o = applyEvent(w, e);
  if (o.code !== 'CC0') throw new Error(`${e.type}: ${o.code}`);
}

export { ok };
