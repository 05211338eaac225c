/**
 * type1-unmap(I, P): an x86 VMM maps single pages of P VMM pages at I IOVA pages through VFIO
 * type1, unmaps them, its device DMAs, the host migrates pages and syncs the IOTLB. Checks that a
 * device never reaches a page that was unpinned or moved (the unmap ordering rule, kernel-facts §8).
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { addrOf } from '../../memory/constants.js';
import { VMM_HVA } from './vmm-layout.js';


export const type1Unmap: Scenario<undefined> = {
  name: 'type1-unmap',
  description: 'VFIO type1 map/unmap of single pages with device DMA, migration and IOTLB sync',
  design: 'reference',
  params: {
    I: { default: 2, min: 1, max: 4, help: 'IOVA pages' },
    P: { default: 2, min: 1, max: 4, help: 'VMM pages that can be mapped' },
  },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'x86' }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
      ev('host.pci.device.add', { device: 'nic0', group: 'g7' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(p.P) }),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
      ev('vmm.vfio.group.get_device_fd', { group: 'g7', device: 'nic0', fd: 'f0' }),
    ]) apply(e);
    for (let v = 0; v < p.P; v++) apply(ev('vmm.mem.write', { mm: 'qemu', hva: VMM_HVA + addrOf(v), data: Uint8Array.of(v + 1) }));
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (let i = 0; i < p.I; i++) for (let v = 0; v < p.P; v++) out.push(ev('vmm.vfio.dma.map', { container: 'c0', vaddr: VMM_HVA + addrOf(v), iova: addrOf(i), size: addrOf(1) }));
    for (let i = 0; i < p.I; i++) out.push(ev('vmm.vfio.dma.unmap', { container: 'c0', iova: addrOf(i), size: addrOf(1) }));
    for (let i = 0; i < p.I; i++) out.push(ev('device.dma.read', { device: 'nic0', iova: addrOf(i), len: 1 }));
    for (let v = 0; v < p.P; v++) out.push(ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(v) }));
    out.push(ev('host.iommu.sync', { container: 'c0' }));
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'dma-avail-accounting'],
  covers: [
    { name: 'dma-through-mapping', description: 'a device read succeeded through a mapping', hit: (_v, s) => s.event.type === 'device.dma.read' && s.outcome.code === 'OK' },
    { name: 'unmapped', description: 'an unmap removed a mapping', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.unmap' && s.outcome.value === 4096n },
    { name: 'migrated', description: 'an unpinned page moved', hit: (_v, s) => s.event.type === 'host.mm.migrate' && s.outcome.code === 'OK' },
  ],
  expect: { verdict: 'pass' },
};
