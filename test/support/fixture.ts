/**
 * A ready-to-use passthrough setup and helpers in the style of the iommufd selftest:
 * `ok(w, e)` asserts success, `err(w, code, e)` asserts a specific refusal.
 */
import { expect } from 'vitest';
import { ev, type EventInput, type EventType, type ModelEvent } from '../../src/events/types.js';
import { SUCCESS_CODES } from '../../src/model/codes.js';
import type { Outcome } from '../../src/model/outcome.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';

export const HVA = 0x7f00_0000_0000n;
export const RAM = 0x10_0000n; // 1 MiB = 256 pages

export function ok(w: World, e: ModelEvent): Outcome {
  const o = applyEvent(w, e);
  expect(SUCCESS_CODES.has(o.code) ? 'OK' : o.code, `${e.type} should succeed`).toBe('OK');
  return o;
}

export function err(w: World, code: string, e: ModelEvent): void {
  expect(applyEvent(w, e).code, `${e.type} should be refused`).toBe(code);
}

export function e<K extends EventType>(type: K, fields: EventInput<K>) {
  return ev(type, fields);
}

/** The events of the standard setup: VMM with 1 MiB of guest RAM, device nic0 in group g7, a type1v2 container c0, a VM vm0. */
export function setupEvents(memlockPages = 1024): ModelEvent[] {
  return [
    e('host.process.spawn', { mm: 'qemu', memlock: BigInt(memlockPages) * 4096n }),
    e('host.pci.device.add', { device: 'nic0', group: 'g7' }),
    e('vmm.mmap', { mm: 'qemu', hva: HVA, size: RAM }),
    e('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    e('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: RAM, hva: HVA }),
    e('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    e('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }),
    e('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }),
    e('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
    e('vmm.vfio.group.get_device_fd', { group: 'g7', device: 'nic0', fd: 'f0' }),
  ];
}

export function setupWorld(memlockPages = 1024): World {
  const w = emptyWorld();
  for (const x of setupEvents(memlockPages)) ok(w, x);
  return w;
}

export const map = (iovaPage: number, pages: number, vpage: number, flags = 3) =>
  e('vmm.vfio.dma.map', { container: 'c0', iova: BigInt(iovaPage) << 12n, size: BigInt(pages) << 12n, vaddr: HVA + (BigInt(vpage) << 12n), flags });

export const unmap = (iovaPage: number, pages: number) =>
  e('vmm.vfio.dma.unmap', { container: 'c0', iova: BigInt(iovaPage) << 12n, size: BigInt(pages) << 12n });
