/**
 * Shared setup for s390 scenarios: a VMM, a VM with 16 MiB of RAM, one zPCI function of the
 * given design opened and associated with the VM, and a guest whose region and segment entries
 * map IOVA 4 GiB onward through page tables from 0x18000, one 2 KiB table per 1 MiB segment (so
 * PTE i of the registered range sits at 0x18000 + 8 i whatever table holds it).
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { u64Bytes } from '../../memory/bits.js';
import type { SetupApply } from '../scenario.js';

export const HVA = 0x3ff_0000_0000n;
export const IOVA0 = 0x1_0000_0000n;
export const RT = 0x10000n;
export const ST = 0x14000n;
export const PT = 0x18000n;
export const FIB_GPA = 0x1000n;
export const DATA0 = 0x200000n;
export const FH = 0x80000001;
export const PTE_INVALID = 0x400n;

export const u64be = (v: bigint) => u64Bytes(v, 'be');

export const iova = (i: number) => IOVA0 + BigInt(i) * 0x1000n;
export const dataGpa = (g: number) => DATA0 + BigInt(g) * 0x1000n;
export const pteWrite = (i: number, value: bigint): ModelEvent => ev('guest.mem.write', { vm: 'vm0', gpa: PT + BigInt(i) * 8n, data: u64be(value) });

export interface GuestSetupOptions {
  readonly design: 'userspace' | 'kvm-shadow';
  /** IOVA pages registered (and page-table entries written invalid). */
  readonly pages: number;
  /** The first IOVA page registered (0 when absent); a range past page 255 uses the next page table. */
  readonly firstPage?: number;
  readonly memlockPages?: number;
  readonly dmaEntryLimit?: number;
  readonly kvmAssociation?: 'open' | 'notifier';
  /** kvm-shadow only: the container's IOMMU type; VFIO_KVM_IOMMU (11) unless a type1 domain is to be lent to KVM (3). */
  readonly iommu?: number;
}

/** The events of an s390 guest set up up to (not including) its MPCIFC REG_IOAT, FIB written. */
export function s390GuestEvents(o: GuestSetupOptions): ModelEvent[] {
  const first = o.firstPage ?? 0;
  const fib = new Uint8Array(80);
  const dv = new DataView(fib.buffer);
  dv.setBigUint64(16, iova(first), false);
  dv.setBigUint64(24, iova(first + o.pages) - 1n, false);
  // one 2 KiB page table per 1 MiB segment, placed one after the other from PT.
  const segments = Array.from({ length: ((first + o.pages - 1) >> 8) - (first >> 8) + 1 }, (_, k) => (first >> 8) + k);
  dv.setBigUint64(32, RT | 0x804n, false);
  return [
    ev('host.boot', { arch: 's390', kvmAssociation: o.kvmAssociation ?? 'open' }),
    ev('host.process.spawn', { mm: 'qemu', memlock: o.memlockPages !== undefined ? BigInt(o.memlockPages) * 4096n : 1n << 40n }),
    ...(o.dmaEntryLimit !== undefined ? [ev('host.vfio.dma_entry_limit', { limit: o.dmaEntryLimit })] : []),
    ev('host.pci.device.add', { device: 'zpci0', group: 'g1' }),
    ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x100_0000n }),
    ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x100_0000n, hva: HVA }),
    ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
    ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    ev('vmm.vfio.group.open', { group: 'g1', mm: 'qemu' }),
    ev('vmm.vfio.group.set_container', { group: 'g1', container: 'c0' }),
    ev('vmm.vfio.set_iommu', { container: 'c0', iommu: o.design === 'userspace' ? 3 : (o.iommu ?? 11) }),
    ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g1' }),
    ev('vmm.vfio.group.get_device_fd', { group: 'g1', device: 'zpci0', fd: 'zf' }),
    ev('vmm.s390.zpci.plug', { vm: 'vm0', device: 'zpci0', fh: 1, design: o.design }),
    ev('guest.s390.clp.set_pci_fn', { vm: 'vm0', fh: 1, op: 'enable' }),
    ev('guest.mem.write', { vm: 'vm0', gpa: RT + ((IOVA0 >> 31n) & 0x7ffn) * 8n, data: u64be(ST | 0x7n) }),
    ...segments.map((seg) => ev('guest.mem.write', { vm: 'vm0', gpa: ST + BigInt(seg) * 8n, data: u64be(PT + BigInt(seg) * 0x800n) })),
    ...Array.from({ length: o.pages }, (_, i) => pteWrite(first + i, PTE_INVALID)),
    ev('guest.mem.write', { vm: 'vm0', gpa: FIB_GPA, data: fib }),
  ];
}

/** The MPCIFC that registers the IOAT the FIB describes. */
export const regIoat = (): ModelEvent => ev('guest.s390.mpcifc', { vm: 'vm0', fh: FH, fc: 'reg_ioat', fib: FIB_GPA });

/** Everything up to and including the registered IOAT over `pages` IOVA pages. */
export function s390GuestSetup(apply: SetupApply, design: 'userspace' | 'kvm-shadow', pages: number, kvmAssociation: 'open' | 'notifier' = 'open', iommu?: number): void {
  for (const e of s390GuestEvents({ design, pages, kvmAssociation, iommu })) apply(e);
  apply(regIoat());
}
