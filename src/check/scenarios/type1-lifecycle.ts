/**
 * type1-lifecycle(P, L): the whole life of a VFIO type1 container under tight limits. The VMM has
 * P pages faulted in last page first (pages 0..P-2 pin as one physically contiguous chunk, the
 * last as another), RLIMIT_MEMLOCK of P - 1 pages and a dma_entry_limit of L. It maps single pages and a
 * range of all P pages (which fails part-way on the limit, after mapping its first chunks),
 * unmaps them one by one and all at once, raises the limit or gains CAP_IPC_LOCK, its device
 * reads and writes, the host migrates, and the VMM closes device, group and container in any
 * order. Checks every counter type1 keeps (dma_avail, locked_vm, pins) at every step, and that a
 * full teardown gives everything back.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { addrOf } from '../../memory/constants.js';
import { everythingClosed } from '../../../properties/teardown-complete.js';
import type { Scenario } from '../scenario.js';
import { VMM_HVA } from './vmm-layout.js';
import { VFIO_DMA_UNMAP_FLAG_ALL } from '../../vfio/uapi.js';

const page = (v: number) => VMM_HVA + addrOf(v);

export const type1Lifecycle: Scenario<undefined> = {
  name: 'type1-lifecycle',
  description: 'type1 MAP_DMA failing part-way on RLIMIT_MEMLOCK and dma_entry_limit, unmap-all, limits changing, and every close order',
  design: 'reference',
  params: {
    P: { default: 3, min: 2, max: 4, help: 'VMM pages (the limit leaves room for P - 1)' },
    L: { default: 2, min: 1, max: 3, help: 'dma_entry_limit' },
  },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'x86' }),
      ev('host.vfio.dma_entry_limit', { limit: p.L }),
      ev('host.process.spawn', { mm: 'qemu', memlock: addrOf(p.P - 1) }),
      ev('host.pci.device.add', { device: 'nic0', group: 'g7' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(p.P) }),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
      ev('vmm.vfio.group.get_device_fd', { group: 'g7', device: 'nic0', fd: 'f0' }),
    ]) apply(e);
    // the last page first: pages 0..P-2 get contiguous frames and pin as one chunk, the last page
    // as another, so a map of the range can fail inside a chunk or after one was mapped.
    for (const v of [p.P - 1, ...Array.from({ length: p.P - 1 }, (_, i) => i)]) apply(ev('vmm.mem.write', { mm: 'qemu', hva: page(v), data: Uint8Array.of(v + 1) }));
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const out: ModelEvent[] = [];
    // single pages at IOVA page v, and the whole range at IOVA page P (over the limit unless raised).
    for (let v = 0; v < p.P; v++) out.push(ev('vmm.vfio.dma.map', { container: 'c0', vaddr: page(v), iova: addrOf(v), size: addrOf(1) }));
    out.push(ev('vmm.vfio.dma.map', { container: 'c0', vaddr: VMM_HVA, iova: addrOf(p.P), size: addrOf(p.P) }));
    for (let v = 0; v < p.P; v++) out.push(ev('vmm.vfio.dma.unmap', { container: 'c0', iova: addrOf(v), size: addrOf(1) }));
    out.push(ev('vmm.vfio.dma.unmap', { container: 'c0', iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }));
    out.push(ev('host.rlimit.set', { mm: 'qemu', memlock: addrOf(p.P) }));
    out.push(ev('host.cap.set', { mm: 'qemu', capIpcLock: true }));
    out.push(ev('device.dma.read', { device: 'nic0', iova: addrOf(p.P), len: 1 }));
    out.push(ev('device.dma.write', { device: 'nic0', iova: 0n, data: Uint8Array.of(0x5a) }));
    out.push(ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA }));
    out.push(ev('vmm.vfio.device.close', { fd: 'f0' }));
    out.push(ev('vmm.vfio.group.unset_container', { group: 'g7' }));
    out.push(ev('vmm.vfio.group.close', { group: 'g7' }));
    out.push(ev('vmm.vfio.container.close', { container: 'c0' }));
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'dma-avail-accounting', 'teardown-complete'],
  covers: [
    { name: 'map-over-limit', description: 'MAP_DMA of the range failed part-way on RLIMIT_MEMLOCK', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.map' && s.outcome.code === 'ENOMEM' },
    { name: 'entries-exhausted', description: 'MAP_DMA was refused with ENOSPC: dma_entry_limit reached', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.map' && s.outcome.code === 'ENOSPC' },
    { name: 'range-mapped', description: 'the whole range mapped once the limit allowed it', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.map' && s.outcome.code === 'OK' && (s.event as { size: bigint }).size > 4096n },
    { name: 'unmapped-all', description: 'UNMAP_DMA with FLAG_ALL removed mappings', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.unmap' && s.outcome.code === 'OK' && (s.event as { flags: number }).flags !== 0 && (s.outcome.value ?? 0n) > 0n },
    { name: 'all-closed', description: 'device, group and container all closed', hit: (v) => everythingClosed(v.w) },
  ],
  expect: { verdict: 'pass' },
};
