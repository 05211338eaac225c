/**
 * liobn-binding(P, W): a POWER guest maps DMA with H_PUT_TCE on a LIOBN that KVM accelerates into a
 * VFIO sPAPR container, clears it with H_STUFF_TCE, while the VMM adds a second group to the
 * container after the LIOBN was bound, its device DMAs, and the VMM unregisters the memory.
 * Run under `liobn-to-container` it must pass; under `liobn-to-group` the late group keeps a stale
 * cached TCE (the 2016 review of the LIOBN-to-group binding). W=1 uses a dynamic (DDW) window
 * at 2^59 instead of the default 32-bit one, so every IOBA is above 2^53.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { addrOf } from '../../memory/constants.js';
import { VMM_HVA } from './vmm-layout.js';

/** The guest page holding the H_PUT_TCE_INDIRECT list (inside the preregistered memory). */
const TCE_LIST = addrOf(15);

/** The indirect list: IOBA page i maps guest page (i + 1) mod P read-write, as big-endian u64 TCEs. */
function tceList(P: number): Uint8Array {
  const out = new Uint8Array(P * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < P; i++) view.setBigUint64(i * 8, addrOf((i + 1) % P) | 3n, false);
  return out;
}
/** The default window's LIOBN and bus start, and the DDW window's (QEMU numbers DDW LIOBNs after the default). */
const WINDOWS = [
  { liobn: 0x8000_0000n, bus: 0n },
  { liobn: 0x8000_0001n, bus: 1n << 59n },
];

export const liobnBinding: Scenario<undefined> = {
  name: 'liobn-binding',
  description: 'sPAPR H_PUT_TCE/H_STUFF_TCE into a container bound to a LIOBN, with a group joining after the bind',
  design: 'liobn-to-container',
  params: {
    P: { default: 2, min: 1, max: 3, help: 'guest pages a TCE can point at (also the IOBA pages used)' },
    W: { default: 0, min: 0, max: 1, help: '0: the default 32-bit window; 1: a DDW window at 2^59' },
  },
  setup(p, apply) {
    const { liobn, bus } = WINDOWS[p.W];
    for (const e of [
      ev('host.boot', { arch: 'ppc64' }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
      ev('host.pci.device.add', { device: 'a0', group: 'gA' }),
      ev('host.pci.device.add', { device: 'b0', group: 'gB' }),
      ev('vmm.mmap', { mm: 'qemu', hva: VMM_HVA, size: addrOf(16) }),
      ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
      ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: addrOf(16), hva: VMM_HVA }),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'gA', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'gA', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
      ev('vmm.vfio.group.get_device_fd', { group: 'gA', device: 'a0', fd: 'fa' }),
      ev('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr: VMM_HVA, size: addrOf(16) }),
      // any MAP/UNMAP creates the pending default window (what QEMU's first listener call does).
      ev('vmm.vfio.dma.unmap', { container: 'c0', iova: 0n, size: addrOf(1) }),
      ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
      ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'gA' }),
      ...(p.W === 1 ? [ev('vmm.vfio.spapr.tce_create', { container: 'c0', pageShift: 12, windowSize: 1n << 24n })] : []),
      ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't', liobn, pageShift: 12, offset: bus >> 12n, size: p.W === 1 ? 0x1000n : 0x40000n }),
      ev('vmm.kvm.vfio.set_spapr_tce', { dev: 'kv', group: 'gA', table: 't' }),
      ev('vmm.vfio.group.open', { group: 'gB', mm: 'qemu' }),
    ]) apply(e);
    for (let v = 0; v < p.P; v++) apply(ev('guest.mem.write', { vm: 'vm0', gpa: addrOf(v), data: Uint8Array.of(v + 1) }));
    apply(ev('guest.mem.write', { vm: 'vm0', gpa: TCE_LIST, data: tceList(p.P) }));
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    const { liobn, bus } = WINDOWS[p.W];
    const out: ModelEvent[] = [];
    for (let i = 0; i < p.P; i++) for (let v = 0; v < p.P; v++) out.push(ev('guest.spapr.h_put_tce', { vm: 'vm0', liobn, ioba: bus + addrOf(i), tce: addrOf(v) | 3n }));
    for (let i = 0; i < p.P; i++) out.push(ev('guest.spapr.h_stuff_tce', { vm: 'vm0', liobn, ioba: bus + addrOf(i), tceValue: 0n, npages: 1n }));
    out.push(ev('guest.spapr.h_put_tce_indirect', { vm: 'vm0', liobn, ioba: bus, tceList: TCE_LIST, npages: BigInt(p.P) }));
    out.push(ev('vmm.vfio.group.set_container', { group: 'gB', container: 'c0' }));
    out.push(ev('vmm.vfio.group.get_device_fd', { group: 'gB', device: 'b0', fd: 'fb' }));
    for (const d of ['a0', 'b0']) for (let i = 0; i < p.P; i++) out.push(ev('device.dma.read', { device: d, iova: bus + addrOf(i), len: 1 }));
    out.push(ev('vmm.vfio.spapr.unregister_memory', { container: 'c0', vaddr: VMM_HVA, size: addrOf(16) }));
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'container-coherence', 'tce-window-bounds', 'spapr-accounting'],
  covers: [
    { name: 'hw-mapped', description: 'H_PUT_TCE reached the hardware table and a device read through it', hit: (_v, s) => s.event.type === 'device.dma.read' && s.outcome.code === 'OK' },
    { name: 'late-group-cached', description: 'the group that joined after the bind cached a TCE', hit: (v) => (v.w.groups.get('gB')?.tceCache.size ?? 0) > 0 },
    { name: 'stuffed', description: 'H_STUFF_TCE cleared a mapped entry', hit: (_v, s) => s.event.type === 'guest.spapr.h_stuff_tce' && s.outcome.code === 'H_SUCCESS' },
    { name: 'indirect', description: 'H_PUT_TCE_INDIRECT mapped the whole list in KVM', hit: (_v, s) => s.event.type === 'guest.spapr.h_put_tce_indirect' && s.outcome.code === 'H_SUCCESS' },
    { name: 'unregistered', description: 'the VMM unregistered the memory once nothing was mapped', hit: (_v, s) => s.event.type === 'vmm.vfio.spapr.unregister_memory' && s.outcome.code === 'OK' },
  ],
  expect: { verdict: 'pass' },
};
