/**
 * stage2-shared(G, S): an x86 guest of G pages whose device's IOMMU walks KVM's own stage-2
 * table (S=1), or whose KVM table stays private with the device behind an empty type1 domain
 * (S=0). The guest and the device write and read every page, the host tries to migrate pages,
 * the VMM turns dirty logging on and off, collects the log, and deletes and re-adds a second
 * one-page memslot. KVM must keep every page present and pinned, must flush the IOMMU's IOTLB
 * with its own before it unpins, and must refuse dirty logging while the table is shared; with
 * S=0 every guest write must reach the dirty log.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import type { Design } from '../../ops/registry.js';
import { addrOf } from '../../memory/constants.js';
import { VMM_HVA } from './vmm-layout.js';

/** The second memslot: one page at guest 1 MiB, backed by the VMM page after slot 0's. */
const SLOT1_GPA = 0x10_0000n;
const SLOT1_ADD = (g: number) => ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, gpa: SLOT1_GPA, size: addrOf(1), hva: VMM_HVA + addrOf(g) });
const SLOT1_DEL = (g: number) => ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, gpa: SLOT1_GPA, size: 0n, hva: VMM_HVA + addrOf(g) });

/** Whether a design decides dirty logging itself (the dirty-bits design logs where the reference refuses). */
const logsByDirtyBits = (d: Design) => d.replaced.includes('kvm_mmu.dirty_log_mode');

export const stage2Shared: Scenario<undefined> = {
  name: 'stage2-shared',
  description: "an IOMMU walking KVM's stage-2 table, with guest and device writes, migration and dirty logging",
  design: 'stage2-shared',
  params: {
    G: { default: 2, min: 1, max: 4, help: 'guest pages' },
    S: { default: 1, min: 0, max: 1, help: "1: the device's IOMMU walks KVM's table; 0: KVM's table is private" },
  },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'x86' }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
      ev('host.pci.device.add', { device: 'nic0', group: 'g7' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(p.G + 1) }),
      ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
      ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: addrOf(p.G), hva: VMM_HVA }),
      SLOT1_ADD(p.G),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
      ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
      ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g7' }),
      ev('vmm.vfio.group.get_device_fd', { group: 'g7', device: 'nic0', fd: 'f0' }),
      ...(p.S === 1 ? [ev('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' })] : []),
    ]) apply(e);
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (let g = 0; g < p.G; g++) {
      out.push(ev('guest.mem.write', { vm: 'vm0', gpa: addrOf(g), data: Uint8Array.of(0x11) }));
      out.push(ev('device.dma.write', { device: 'nic0', iova: addrOf(g), data: Uint8Array.of(0x22) }));
      out.push(ev('device.dma.read', { device: 'nic0', iova: addrOf(g), len: 1 }));
      out.push(ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(g) }));
    }
    out.push(ev('device.dma.write', { device: 'nic0', iova: SLOT1_GPA, data: Uint8Array.of(0x33) }));
    out.push(SLOT1_DEL(p.G), SLOT1_ADD(p.G));
    out.push(ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(p.G) }));
    out.push(ev('vmm.kvm.dirty_log.enable', { vm: 'vm0', slot: 0 }));
    out.push(ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, flags: 0, gpa: 0n, size: addrOf(p.G), hva: VMM_HVA }));
    out.push(ev('vmm.kvm.dirty_log.get', { vm: 'vm0', slot: 0 }));
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'dirty-tracking-complete', 'iotlb-coherence', 'shared-stage2-populated', 'kvm-pin-accounting'],
  covers: [
    { name: 'device-wrote', description: "a device write reached guest memory through KVM's table", applies: (p) => p.S === 1, hit: (_v, s) => s.event.type === 'device.dma.write' && s.outcome.code === 'OK' },
    {
      name: 'dirty-log-refused',
      description: 'KVM refused dirty logging on the shared table',
      applies: (p, d) => p.S === 1 && !logsByDirtyBits(d),
      hit: (_v, s) => s.event.type === 'vmm.kvm.dirty_log.enable' && s.outcome.code === 'EINVAL',
    },
    {
      name: 'device-write-logged',
      description: "GET_DIRTY_LOG reported a page only the device wrote since the last GET (harvested from the D bit the IOMMU set)",
      applies: (p, d) => p.S === 1 && logsByDirtyBits(d),
      hit: (v, s) => s.event.type === 'vmm.kvm.dirty_log.get' && s.outcome.data !== undefined && s.outcome.data.some((b) => b !== 0),
    },
    { name: 'migration-refused', description: 'a shared (pinned) page could not move', applies: (p) => p.S === 1, hit: (_v, s) => s.event.type === 'host.mm.migrate' && s.outcome.code === 'EBUSY' },
    {
      name: 'dirty-reported',
      description: 'GET_DIRTY_LOG reported a page the guest wrote',
      applies: (p) => p.S === 0,
      hit: (_v, s) => s.event.type === 'vmm.kvm.dirty_log.get' && s.outcome.data !== undefined && s.outcome.data.some((b) => b !== 0),
    },
    { name: 'migrated-mapped', description: 'a page KVM had mapped moved (its leaf zapped first)', applies: (p) => p.S === 0, hit: (_v, s) => s.event.type === 'host.mm.migrate' && s.outcome.code === 'OK' },
    {
      name: 'slot-removed-after-dma',
      description: 'a memslot the device had reached was deleted, and its page then moved',
      applies: (p) => p.S === 1,
      hit: (v, s) => s.event.type === 'host.mm.migrate' && s.outcome.code === 'OK' && v.w.stats.iotlbFlushes > 0,
    },
  ],
  expect: { verdict: 'pass' },
};
