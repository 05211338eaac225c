/**
 * spapr-lifecycle(T): a POWER guest whose LIOBN KVM accelerates into a VFIO sPAPR container, over
 * the operations liobn-binding leaves out. T = 0, hypercalls: the guest rewrites its
 * H_PUT_TCE_INDIRECT list (an invalid entry in the middle included), reads entries back with
 * H_GET_TCE and clears them, while its device reads and writes. T = 1, teardown: the VMM closes
 * the device, the group (or unsets its container), the container, the KVM-VFIO device (or
 * FILE_DEL), the TCE table and the VM in any order while the guest and the device keep going.
 * T = 2, memory and limits: the VMM maps through VFIO directly, creates and removes a DDW window
 * under a lowered RLIMIT_MEMLOCK or with CAP_IPC_LOCK, and writes and migrates a page outside the
 * preregistered memory.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { addrOf } from '../../memory/constants.js';
import { everythingClosed } from '../../../properties/teardown-complete.js';
import type { Scenario } from '../scenario.js';
import { VMM_HVA } from './vmm-layout.js';

const LIOBN = 0x8000_0000n;
/** Guest pages preregistered (and in the memslot); page REG is mapped but never registered. */
const REG = 16;
const TCE_LIST = addrOf(15);
const tce = (page: number) => addrOf(page) | 3n;
/**
 * A DMA_NONE entry pointing past guest memory: validation lets it through (DMA_NONE always
 * passes), and KVM's store loop stops there with H_PARAMETER after storing the entries before it.
 */
const BAD_TCE = addrOf(0x10_0000);
const listEntry = (i: number, value: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, false);
  return ev('guest.mem.write', { vm: 'vm0', gpa: TCE_LIST + BigInt(i * 8), data: b });
};

const CLOSES: ModelEvent[] = [
  ev('vmm.vfio.device.close', { fd: 'fa' }),
  ev('vmm.vfio.group.unset_container', { group: 'gA' }),
  ev('vmm.vfio.group.close', { group: 'gA' }),
  ev('vmm.vfio.container.close', { container: 'c0' }),
  ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'gA' }),
  ev('vmm.kvm.device.close', { dev: 'kv' }),
  ev('vmm.kvm.spapr_tce.close', { table: 't' }),
  ev('vmm.kvm.close_vm', { vm: 'vm0' }),
];

export const spaprLifecycle: Scenario<undefined> = {
  name: 'spapr-lifecycle',
  description: 'sPAPR indirect lists the guest rewrites, H_GET_TCE, direct VFIO maps, DDW under limits, and every close order',
  design: 'liobn-to-container',
  params: { T: { default: 0, min: 0, max: 2, help: '0: hypercalls; 1: every close order; 2: direct maps, DDW, limits and migration' } },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'ppc64' }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
      ev('host.pci.device.add', { device: 'a0', group: 'gA' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(REG + 1) }),
      ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
      ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: addrOf(REG), hva: VMM_HVA }),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'gA', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'gA', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
      ev('vmm.vfio.group.get_device_fd', { group: 'gA', device: 'a0', fd: 'fa' }),
      ev('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr: VMM_HVA, size: addrOf(REG) }),
      ev('vmm.vfio.dma.unmap', { container: 'c0', iova: 0n, size: addrOf(1) }),
      ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
      ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'gA' }),
      ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't', liobn: LIOBN, pageShift: 12, offset: 0n, size: 0x40000n }),
      ev('vmm.kvm.vfio.set_spapr_tce', { dev: 'kv', group: 'gA', table: 't' }),
      ev('guest.mem.write', { vm: 'vm0', gpa: 0n, data: Uint8Array.of(1) }),
      ev('guest.mem.write', { vm: 'vm0', gpa: addrOf(1), data: Uint8Array.of(2) }),
      listEntry(0, tce(0)),
      listEntry(1, tce(1)),
      listEntry(2, tce(0)),
    ]) apply(e);
    if (p.T === 1) apply(ev('guest.spapr.h_put_tce', { vm: 'vm0', liobn: LIOBN, ioba: 0n, tce: tce(0) }));
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const out: ModelEvent[] = [
      ev('guest.spapr.h_put_tce', { vm: 'vm0', liobn: LIOBN, ioba: addrOf(1), tce: tce(1) }),
      ev('device.dma.read', { device: 'a0', iova: 0n, len: 1 }),
    ];
    if (p.T === 1) return [...out, ...CLOSES];
    if (p.T === 0) {
      out.push(
        ev('guest.spapr.h_put_tce_indirect', { vm: 'vm0', liobn: LIOBN, ioba: 0n, tceList: TCE_LIST, npages: 3n }),
        // the guest rewrites the middle entry: valid again, or pointing past its memory.
        listEntry(1, tce(1)),
        listEntry(1, BAD_TCE),
        ev('guest.spapr.h_get_tce', { vm: 'vm0', liobn: LIOBN, ioba: addrOf(1) }),
        ev('guest.spapr.h_stuff_tce', { vm: 'vm0', liobn: LIOBN, ioba: 0n, tceValue: 0n, npages: 3n }),
        ev('guest.mem.read', { vm: 'vm0', gpa: addrOf(1), len: 1 }),
        ev('device.dma.write', { device: 'a0', iova: addrOf(1), data: Uint8Array.of(0x5a) }),
      );
      return out;
    }
    out.push(
      ev('vmm.vfio.dma.map', { container: 'c0', vaddr: VMM_HVA + addrOf(1), iova: addrOf(3), size: addrOf(1) }),
      ev('vmm.vfio.dma.unmap', { container: 'c0', iova: addrOf(3), size: addrOf(1) }),
      ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 1n << 24n }),
      ev('vmm.vfio.spapr.tce_remove', { container: 'c0', startAddr: 1n << 59n }),
      // leaves no room for the DDW window's table; CAP_IPC_LOCK lifts the limit.
      ev('host.rlimit.set', { mm: 'qemu', memlock: addrOf(0) }),
      ev('host.cap.set', { mm: 'qemu', capIpcLock: true }),
      ev('vmm.mem.write', { mm: 'qemu', hva: VMM_HVA + addrOf(REG), data: Uint8Array.of(0x11) }),
      ev('host.mm.migrate', { mm: 'qemu', hva: VMM_HVA + addrOf(REG) }),
    );
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'container-coherence', 'tce-window-bounds', 'spapr-accounting', 'teardown-complete', 'no-dangling-kvm'],
  covers: [
    { name: 'indirect-stopped', applies: (p) => p.T === 0, description: 'H_PUT_TCE_INDIRECT stopped at an invalid entry in the middle of its list', hit: (_v, s) => s.event.type === 'guest.spapr.h_put_tce_indirect' && s.outcome.code === 'H_PARAMETER' },
    { name: 'indirect-mapped', applies: (p) => p.T === 0, description: 'H_PUT_TCE_INDIRECT mapped a rewritten list', hit: (_v, s) => s.event.type === 'guest.spapr.h_put_tce_indirect' && s.outcome.code === 'H_SUCCESS' },
    { name: 'ddw-refused', applies: (p) => p.T === 2, description: 'a DDW window was refused under RLIMIT_MEMLOCK', hit: (_v, s) => s.event.type === 'vmm.vfio.spapr.tce_create' && s.outcome.code === 'ENOMEM' },
    { name: 'ddw-removed', applies: (p) => p.T === 2, description: 'a DDW window was created and removed', hit: (_v, s) => s.event.type === 'vmm.vfio.spapr.tce_remove' && s.outcome.code === 'OK' },
    { name: 'migrated', applies: (p) => p.T === 2, description: 'a page outside the preregistered memory moved', hit: (_v, s) => s.event.type === 'host.mm.migrate' && s.outcome.code === 'OK' },
    { name: 'all-closed', applies: (p) => p.T === 1, description: 'every fd closed and the VM destroyed', hit: (v) => everythingClosed(v.w) },
  ],
  expect: { verdict: 'pass' },
};
