/**
 * sva-lifecycle(P): a device bound with SVA to the VMM's P pages binds and unbinds, reaches pages
 * it has and addresses no VMA covers (the page request fails and nothing is faulted in), while the
 * VMM writes and the host migrates; the VMM then closes device, group and container in any order,
 * a bound device included. Once the binding is gone the device must reach nothing, and once all
 * is closed nothing may remain bound or cached.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { addrOf } from '../../memory/constants.js';
import { everythingClosed } from '../../../properties/teardown-complete.js';
import type { Scenario } from '../scenario.js';
import { VMM_HVA } from './vmm-layout.js';

export const svaLifecycle: Scenario<undefined> = {
  name: 'sva-lifecycle',
  description: 'SVA bind and unbind, page requests for addresses no VMA covers, and every close order with the device bound',
  design: 'sva-pri',
  params: {
    P: { default: 1, min: 1, max: 3, help: 'process pages the device addresses (page P is never mapped)' },
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
    // page P lies past the mapping: its page request gets an invalid-request response.
    for (let v = 0; v <= p.P; v++) {
      out.push(ev('device.dma.write', { device: 'acc0', iova: VMM_HVA + addrOf(v), data: Uint8Array.of(0x22) }));
      out.push(ev('device.dma.read', { device: 'acc0', iova: VMM_HVA + addrOf(v), len: 1 }));
    }
    for (let v = 0; v < p.P; v++) {
      out.push(ev('vmm.mem.write', { mm: 'qemu', hva: VMM_HVA + addrOf(v), data: Uint8Array.of(0x11) }));
      out.push(ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(v) }));
    }
    out.push(ev('vmm.vfio.device.unbind_sva', { fd: 'f0' }));
    out.push(ev('vmm.vfio.device.bind_sva', { fd: 'f0' }));
    out.push(ev('vmm.vfio.device.close', { fd: 'f0' }));
    out.push(ev('vmm.vfio.group.unset_container', { group: 'g9' }));
    out.push(ev('vmm.vfio.group.close', { group: 'g9' }));
    out.push(ev('vmm.vfio.container.close', { container: 'c0' }));
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'iotlb-coherence', 'teardown-complete'],
  covers: [
    { name: 'unmapped-request-refused', description: 'a page request for an address no VMA covers faulted the access', hit: (_v, s) => s.event.type.startsWith('device.dma.') && s.outcome.code === 'IOMMU_FAULT_NOT_PRESENT' && s.event.type !== 'device.dma.read' },
    { name: 'unbound-after-use', description: 'the binding went after the device had cached a translation', hit: (v, s) => s.event.type === 'vmm.vfio.device.unbind_sva' && s.outcome.code === 'OK' && v.w.stats.pageRequests > 0 },
    { name: 'rebound', description: 'the device was bound again after an unbind', hit: (_v, s) => s.event.type === 'vmm.vfio.device.bind_sva' && s.outcome.code === 'OK' },
    { name: 'closed-while-bound', description: 'the device fd closed while its PASID was bound', hit: (v, s) => s.event.type === 'vmm.vfio.device.close' && s.outcome.code === 'OK' && v.w.stats.iotlbFlushes > 0 },
    { name: 'all-closed', description: 'device, group and container all closed', hit: (v) => everythingClosed(v.w) },
  ],
  expect: { verdict: 'pass' },
};
