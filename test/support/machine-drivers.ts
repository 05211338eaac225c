/**
 * Drivers that turn a lifecycle machine's events into model events, so a path `vkm paths` emits
 * can be replayed through the model: each machine event becomes the model call that makes it
 * happen (with any helper calls it needs first, which must succeed), and the driver reads the
 * object's state in the machine back out of the world. An event the model cannot produce from the
 * world at hand is `undefined`, with the reason, so a test can list exactly what it did not drive.
 */
import { ev, type ModelEvent } from '../../src/events/types.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { SUCCESS_CODES } from '../../src/model/codes.js';
import type { Outcome } from '../../src/model/outcome.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { pinCount, pinState } from '../../src/mm/pages.js';
import type { MachineName } from '../../machines/index.js';

/** The outcome of the machine event's own call, or why the model cannot make that event here. */
export type Driven = { outcome: Outcome } | { undriven: string };

export interface Driver {
  readonly machine: MachineName;
  /** A new world whose object is in the machine's initial state. */
  start(): World;
  /** Makes `event` happen to the object. */
  drive(w: World, event: string): Driven;
  /** The object's state in the machine. */
  state(w: World): string;
}

/** Applies helper calls, each of which must succeed, then the call whose outcome the machine predicts. */
function run(w: World, helpers: ModelEvent[], call: ModelEvent): Driven {
  for (const h of helpers) {
    const out = applyEvent(w, h);
    if (!SUCCESS_CODES.has(out.code)) throw new Error(`driver helper ${h.type} refused with ${out.code}`);
  }
  return { outcome: applyEvent(w, call) };
}

function world(events: ModelEvent[]): World {
  const w = emptyWorld();
  for (const e of events) {
    const out = applyEvent(w, e);
    if (!SUCCESS_CODES.has(out.code)) throw new Error(`driver setup ${e.type} refused with ${out.code}`);
  }
  return w;
}

const HVA = 0x7f00_0000_0000n;
const LIOBN = 0x8000_0000n;

/** A LIOBN (table t) on a POWER host, with two groups in the container and the KVM-VFIO device; `design` picks the binding. */
export function liobnDriver(design: string): Driver {
  const groups = ['gA', 'gB'];
  return {
    machine: 'liobn',
    start: () =>
      world([
        ev('host.boot', { arch: 'ppc64', design }),
        ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
        ev('host.pci.device.add', { device: 'a0', group: 'gA' }),
        ev('host.pci.device.add', { device: 'b0', group: 'gB' }),
        ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x10000n }),
        ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
        ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x10000n, hva: HVA }),
        ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
        ...groups.flatMap((g) => [ev('vmm.vfio.group.open', { group: g, mm: 'qemu' }), ev('vmm.vfio.group.set_container', { group: g, container: 'c0' })]),
        ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 7 }),
        ev('vmm.vfio.group.get_device_fd', { group: 'gA', device: 'a0', fd: 'fa' }),
        ev('vmm.vfio.spapr.register_memory', { container: 'c0', vaddr: HVA, size: 0x10000n }),
        // the first MAP or UNMAP creates the pending default window (tce_iommu_create_default_window).
        ev('vmm.vfio.dma.unmap', { container: 'c0', iova: 0n, size: 0x1000n }),
        ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
        ev('vmm.kvm.create_spapr_tce_64', { vm: 'vm0', table: 't', liobn: LIOBN, pageShift: 12, offset: 0n, size: 0x40000n }),
      ]),
    drive(w, event) {
      const t = w.tceTables.get('t');
      const bound = t?.attached ?? [];
      const added = w.kvmdevs.get('kv')!.files;
      switch (event) {
        case 'BIND': {
          // the next group not yet bound, or the first again (a rebind).
          const g = groups.find((x) => !bound.includes(x)) ?? groups[0];
          return run(w, added.includes(g) ? [] : [ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: g })], ev('vmm.kvm.vfio.set_spapr_tce', { dev: 'kv', group: g, table: 't' }));
        }
        case 'UNBIND_LAST':
        case 'UNBIND_OTHER': {
          // FILE_DEL of a bound group; with none bound, of an added group (nothing to drop). For
          // UNBIND_OTHER with one group bound, the other is bound first (a rebind: the state stays).
          const helpers: ModelEvent[] = [];
          if (event === 'UNBIND_LAST' && bound.length > 1) return { undriven: `${bound.length} groups bound: FILE_DEL would be UNBIND_OTHER` };
          if (event === 'UNBIND_OTHER' && bound.length === 1) {
            const other = groups.find((x) => !bound.includes(x))!;
            if (!added.includes(other)) helpers.push(ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: other }));
            helpers.push(ev('vmm.kvm.vfio.set_spapr_tce', { dev: 'kv', group: other, table: 't' }));
          }
          const g = bound[0] ?? groups[0];
          if (bound.length === 0 && !added.includes(g)) helpers.push(ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: g }));
          return run(w, helpers, ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: g }));
        }
        case 'HCALL':
          return run(w, [], ev('guest.spapr.h_put_tce', { vm: 'vm0', liobn: LIOBN, ioba: 0n, tce: 0x1003n }));
        case 'CLOSE':
          return run(w, [], ev('vmm.kvm.spapr_tce.close', { table: 't' }));
      }
      throw new Error(`liobn: no driver for ${event}`);
    },
    state: (w) => w.tceTables.get('t')?.lc ?? 'destroyed',
  };
}

/** The frame backing VMM page 0, pinned by type1 maps on an x86 host. */
export function pagePinDriver(): Driver {
  let nextIova = 0n;
  return {
    machine: 'page-pin',
    start: () => {
      nextIova = 0n;
      return world([
        ev('host.boot', { arch: 'x86' }),
        ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
        ev('host.pci.device.add', { device: 'nic0', group: 'g0' }),
        ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x4000n }),
        // the page is faulted in: it has a frame to pin and to migrate.
        ev('vmm.mem.write', { mm: 'qemu', hva: HVA, data: new Uint8Array([1]) }),
        ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
        ev('vmm.vfio.group.open', { group: 'g0', mm: 'qemu' }),
        ev('vmm.vfio.group.set_container', { group: 'g0', container: 'c0' }),
        ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
      ]);
    },
    drive(w, event) {
      const t1 = w.containers.get('c0')!.iommu!;
      const pfn = w.mms.get('qemu')!.pages.get(Number(HVA >> 12n))!;
      const count = pinCount(w, pfn);
      // the reducer names a pin or unpin by the count, so only the event the count implies can happen.
      const implied: Record<string, boolean> = {
        PIN_FIRST: count === 0, PIN_MORE: count >= 1, UNPIN_LAST: count === 1, UNPIN_TO_ONE: count === 2, UNPIN_OTHER: count > 2, UNPIN_UNDERFLOW: count <= 0,
      };
      // UNPIN_OTHER from two pins: one more map first (PIN_MORE, which leaves the state as it is).
      const helpers: ModelEvent[] = [];
      if (event === 'UNPIN_OTHER' && count === 2) {
        helpers.push(ev('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA, iova: nextIova, size: 0x1000n }));
        nextIova += 0x1000n;
      } else if (implied[event] === false) return { undriven: `at pin count ${count} the reducer never names ${event}` };
      switch (event) {
        case 'PIN_FIRST':
        case 'PIN_MORE': {
          // each MAP_DMA of the page at a fresh IOVA pins it once more.
          const iova = nextIova;
          nextIova += 0x1000n;
          return run(w, [], ev('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA, iova, size: 0x1000n }));
        }
        case 'UNPIN_LAST':
        case 'UNPIN_TO_ONE':
        case 'UNPIN_OTHER': {
          // the first mapping: a helper map above adds a later one, so this one is still there.
          const dma = t1.dmas[0]!;
          return run(w, helpers, ev('vmm.vfio.dma.unmap', { container: 'c0', iova: BigInt(dma.iovaPage) << 12n, size: 0x1000n }));
        }
        case 'MIGRATE':
          return run(w, [], ev('host.mm.migrate', { mm: 'qemu', hva: HVA }));
        case 'UNPIN_UNDERFLOW':
          return { undriven: 'an unpin with no pin: only a faulty design does it (pin-balance reports the state)' };
        case 'RECLAIM':
          return { undriven: 'the model has no host reclaim yet' };
        case 'MMU_INVALIDATE':
          return { undriven: 'the mmu notifier runs inside a migration, not as a call of its own' };
      }
      throw new Error(`page-pin: no driver for ${event}`);
    },
    state(w) {
      const pfn = w.mms.get('qemu')!.pages.get(Number(HVA >> 12n));
      return pinState(pfn === undefined ? 0 : pinCount(w, pfn));
    },
  };
}

/** The domain behind container c0 on an s390 host: type1 (userspace-owned) or VFIO_KVM_IOMMU (KVM-owned). */
export function domainOwnerDriver(design: string): Driver {
  return {
    machine: 'domain-owner',
    start: () =>
      world([
        ev('host.boot', { arch: 's390', design }),
        ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
        ev('host.pci.device.add', { device: 'zpci0', group: 'g0' }),
        ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x4000n }),
        ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
        ev('vmm.vfio.group.open', { group: 'g0', mm: 'qemu' }),
        ev('vmm.vfio.group.set_container', { group: 'g0', container: 'c0' }),
      ]),
    drive(w, event) {
      // s390's DMA aperture starts above zero (zdev->start_dma): IOVA 4 GiB is inside it.
      const iova = 0x1_0000_0000n;
      const c = w.containers.get('c0')!;
      const noDomain = c.lc !== 'released' && !c.iommu;
      switch (event) {
        case 'ALLOC_UNMANAGED':
          return run(w, [], ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }));
        case 'ALLOC_KVM':
          return run(w, [], ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 11 }));
        case 'USER_MAP':
          return noDomain ? { undriven: 'no domain yet: the container has no IOMMU driver' } : run(w, [], ev('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA, iova, size: 0x1000n }));
        case 'USER_UNMAP':
          return noDomain ? { undriven: 'no domain yet: the container has no IOMMU driver' } : run(w, [], ev('vmm.vfio.dma.unmap', { container: 'c0', iova, size: 0x1000n }));
        case 'FREE':
          if (noDomain) return { undriven: 'no domain yet: closing the container frees none' };
          // the container is released (and its domain freed) once its last group leaves and its fd is closed.
          return run(w, c.lc === 'released' ? [] : [ev('vmm.vfio.group.unset_container', { group: 'g0' })], ev('vmm.vfio.container.close', { container: 'c0' }));
        case 'KVM_MAP':
        case 'KVM_UNMAP':
          return { undriven: 'KVM maps through its RPCIT shadow, which the kvm-domain-lent scenario builds; this driver does not' };
        case 'LEND':
        case 'RETURN':
          return { undriven: 'KVM lends the domain when a zPCI function registers its IOAT, which this driver does not build (kvm-domain-lent F=1 does)' };
        case 'ALLOC_DMA_API':
        case 'DMA_API_MAP':
          return { undriven: "default domains are the iommu-domain machine's, not domain objects" };
      }
      throw new Error(`domain-owner: no driver for ${event}`);
    },
    state(w) {
      const c = w.containers.get('c0')!;
      if (c.lc === 'released') return 'freed';
      const dom = c.iommu ? w.domains.get(c.iommu.domain) : undefined;
      return dom?.owner ?? 'allocated';
    },
  };
}

/** Device zpci0's kvm association on an s390 host, in the final design or the v3 notifier's. */
export function associationDriver(kind: 'open' | 'notifier'): Driver {
  return {
    machine: kind === 'open' ? 'kvm-association' : 'set-kvm-notifier',
    start: () =>
      world([
        ev('host.boot', { arch: 's390', kvmAssociation: kind }),
        ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
        ev('host.pci.device.add', { device: 'zpci0', group: 'g0' }),
        ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x4000n }),
        ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
        ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
        ev('vmm.vfio.group.open', { group: 'g0', mm: 'qemu' }),
        ev('vmm.vfio.group.set_container', { group: 'g0', container: 'c0' }),
        ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
        ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv' }),
      ]),
    drive(w, event) {
      const added = w.kvmdevs.get('kv')!.files.includes('g0');
      const open = w.devices.get('zpci0')!.openCount > 0;
      const add = ev('vmm.kvm.vfio.file_add', { dev: 'kv', group: 'g0' });
      const del = ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'g0' });
      const openFd = ev('vmm.vfio.group.get_device_fd', { group: 'g0', device: 'zpci0', fd: 'fz' });
      switch (event) {
        case 'OPEN_WITH_KVM':
          return open ? { undriven: 'the device is open: a second fd is no first open' } : run(w, added ? [] : [add], openFd);
        case 'OPEN_NO_KVM':
          return open ? { undriven: 'the device is open: a second fd is no first open' } : run(w, added ? [del] : [], openFd);
        case 'CLOSE':
          return run(w, [], ev('vmm.vfio.device.close', { fd: 'fz' }));
        case 'SET_KVM':
          return added ? { undriven: 'FILE_ADD is the only SET_KVM, and the group is added already' } : run(w, [], add);
        case 'SET_KVM_NULL':
          return added ? run(w, [], del) : { undriven: 'FILE_DEL is the only SET_KVM NULL, and the group is not added' };
        case 'VM_DESTROYED':
          return { undriven: 'a VM outlives every association the reference keeps (only a faulty design destroys it under one)' };
      }
      throw new Error(`association: no driver for ${event}`);
    },
    state: (w) => w.devices.get('zpci0')!.assoc,
  };
}
