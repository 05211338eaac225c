/**
 * sva-pri(P): a device bound with SVA to the VMM's address space of P pages, none pinned. It
 * reads and writes every page (page requests fault untouched pages in), the VMM's CPU writes
 * them, and the host migrates them. The one rule: the device's cached translation of a page is
 * invalidated before the page moves.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { addrOf } from '../../memory/constants.js';
import { VMM_HVA } from './vmm-layout.js';


export const svaPri: Scenario<undefined> = {
  name: 'sva-pri',
  description: "a device using the process's page table with page requests and no pins, against page migration",
  design: 'sva-pri',
  params: {
    P: { default: 2, min: 1, max: 4, help: 'process pages the device addresses' },
  },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'x86' }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 0n }),
      ev('host.pci.device.add', { device: 'acc0', group: 'g9' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(p.P) }),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'g9', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g9', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
      ev('vmm.vfio.group.get_device_fd', { group: 'g9', device: 'acc0', fd: 'f0' }),
      ev('vmm.vfio.device.bind_sva', { fd: 'f0' }),
    ]) apply(e);
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (let v = 0; v < p.P; v++) {
      out.push(ev('device.dma.write', { device: 'acc0', iova: VMM_HVA + addrOf(v), data: Uint8Array.of(0x22) }));
      out.push(ev('device.dma.read', { device: 'acc0', iova: VMM_HVA + addrOf(v), len: 1 }));
      out.push(ev('vmm.mem.write', { mm: 'qemu', hva: VMM_HVA + addrOf(v), data: Uint8Array.of(0x11) }));
      out.push(ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(v) }));
    }
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'iotlb-coherence'],
  covers: [
    {
      name: 'page-request',
      description: 'a device access was served by a page request',
      hit: (v, s) => s.event.type.startsWith('device.dma.') && s.outcome.code === 'OK' && v.w.stats.pageRequests > 0,
    },
    {
      name: 'cached-page-moved',
      description: 'a page the device had cached moved, and the device reached it again',
      hit: (v, s) => s.event.type === 'device.dma.read' && s.outcome.code === 'OK' && v.w.stats.iotlbFlushes > 0,
    },
  ],
  expect: { verdict: 'pass' },
};
