/**
 * stage2-lifecycle(G, T): a device whose IOMMU walks KVM's stage-2 table for a guest of G pages.
 * T = 0: the guest and the device touch memory, the VMM writes it, the host tries to migrate it,
 * and the VMM deletes and re-adds a memslot the device may be using, lowers RLIMIT_MEMLOCK below
 * what KVM has pinned, or gains CAP_IPC_LOCK. T = 1: after the device has used both memslots, the
 * VMM closes the device, the group, the container, the KVM-VFIO device (or FILE_DEL) and the VM
 * in any order while the device and the guest keep going. KVM must stop sharing its table before
 * either side goes, unpin what it pinned, and leave nothing once all is closed.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { addrOf } from '../../memory/constants.js';
import { everythingClosed } from '../../../properties/teardown-complete.js';
import type { Scenario } from '../scenario.js';
import { VMM_HVA } from './vmm-layout.js';

const SLOT1_GPA = 0x10_0000n;
const slot1 = (g: number, size: bigint) => ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 1, gpa: SLOT1_GPA, size, hva: VMM_HVA + addrOf(g) });

const CLOSES: ModelEvent[] = [
  ev('vmm.vfio.device.close', { fd: 'f0' }),
  ev('vmm.vfio.group.unset_container', { group: 'g7' }),
  ev('vmm.vfio.group.close', { group: 'g7' }),
  ev('vmm.vfio.container.close', { container: 'c0' }),
  ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'g7' }),
  ev('vmm.kvm.device.close', { dev: 'kv' }),
  ev('vmm.kvm.close_vm', { vm: 'vm0' }),
];

export const stage2Lifecycle: Scenario<undefined> = {
  name: 'stage2-lifecycle',
  description: "KVM's stage-2 table shared with the IOMMU, through memslot changes, limits and every close order",
  design: 'stage2-shared',
  params: {
    G: { default: 1, min: 1, max: 2, help: 'guest pages in slot 0 (slot 1 is one more page)' },
    T: { default: 0, min: 0, max: 1, help: '0: memslots and limits; 1: every close order' },
  },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'x86' }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
      ev('host.pci.device.add', { device: 'nic0', group: 'g7' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(p.G + 1) }),
      ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
      ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: addrOf(p.G), hva: VMM_HVA }),
      slot1(p.G, addrOf(1)),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
      ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
      ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g7' }),
      ev('vmm.vfio.group.get_device_fd', { group: 'g7', device: 'nic0', fd: 'f0' }),
      ev('vmm.kvm.vfio.share_stage2', { dev: 'kv', group: 'g7' }),
    ]) apply(e);
    if (p.T === 1) {
      apply(ev('device.dma.write', { device: 'nic0', iova: SLOT1_GPA, data: Uint8Array.of(0x22) }));
      apply(ev('device.dma.read', { device: 'nic0', iova: 0n, len: 1 }));
    }
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const out: ModelEvent[] = [
      ev('guest.mem.read', { vm: 'vm0', gpa: SLOT1_GPA, len: 1 }),
      ev('device.dma.write', { device: 'nic0', iova: SLOT1_GPA, data: Uint8Array.of(0x22) }),
      ev('device.dma.read', { device: 'nic0', iova: 0n, len: 1 }),
    ];
    if (p.T === 1) return [...out, ...CLOSES];
    out.push(
      ev('guest.mem.write', { vm: 'vm0', gpa: 0n, data: Uint8Array.of(0x11) }),
      ev('vmm.mem.write', { mm: 'qemu', hva: VMM_HVA, data: Uint8Array.of(0x33) }),
      ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(p.G) }),
      slot1(p.G, 0n),
      slot1(p.G, addrOf(1)),
      // room for the pages of slot 0 only: re-adding slot 1 must fail to pin.
      ev('host.rlimit.set', { mm: 'qemu', memlock: addrOf(p.G) }),
      ev('host.cap.set', { mm: 'qemu', capIpcLock: true }),
    );
    return out;
  },

  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'iotlb-coherence', 'shared-stage2-populated', 'kvm-pin-accounting', 'teardown-complete', 'no-dangling-kvm'],
  covers: [
    { name: 'slot-readded', applies: (p) => p.T === 0, description: 'the memslot was added back after being deleted while shared', hit: (v, s) => s.event.type === 'vmm.kvm.set_user_memory_region' && s.outcome.code === 'OK' && (s.event as { size: bigint }).size > 0n && v.w.vms.get('vm0')?.shared !== undefined },
    { name: 'pin-over-limit', applies: (p) => p.T === 0, description: 'KVM could not pin a page of the shared table under RLIMIT_MEMLOCK', hit: (_v, s) => s.outcome.code === 'ENOMEM' },
    { name: 'sharing-stopped', applies: (p) => p.T === 1, description: 'the table stopped being shared while the VM lived', hit: (v) => v.w.vms.get('vm0')?.lc === 'running' && v.w.vms.get('vm0')?.shared === undefined },
    { name: 'all-closed', applies: (p) => p.T === 1, description: 'every fd closed and the VM destroyed', hit: (v) => everythingClosed(v.w) },
  ],
  expect: { verdict: 'pass' },
};
