/** Host-side events: processes, limits, PCI topology, page migration. */
import { PAGE_SHIFT_N, pageOf } from '../memory/constants.js';
import { claimFrame, copyFrame, freeFrame, allocFrame } from '../memory/frames.js';
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from './outcome.js';
import { pointsOf, variantNamed } from './variant.js';
import { invalidatePage, kvmInvalidate } from './mmu-notifier.js';
import { anonOwner, pinCount } from './pages.js';
import type { World } from './world.js';

const rlimitPages = (bytes: bigint) => Number(bytes >> PAGE_SHIFT_N);

/** Chooses the host architecture and kvm association model; only before anything exists. */
export function boot(w: World, e: EventOf<'host.boot'>): Outcome {
  if (w.mms.size || w.devices.size) return refused('EBUSY');
  if (e.variant && !variantNamed(e.variant)) return refused('EINVAL');
  w.arch = e.arch;
  w.variant = e.variant;
  w.kvmAssociation = e.kvmAssociation;
  return OK;
}

export function processSpawn(w: World, e: EventOf<'host.process.spawn'>): Outcome {
  if (w.mms.has(e.mm)) return refused('EEXIST');
  const memlockPages = rlimitPages(e.memlock);
  w.mms.set(e.mm, { id: e.mm, vmas: [], pages: new Map(), lockedVm: 0, memlockPages, capIpcLock: e.capIpcLock });
  return OK;
}

export function rlimitSet(w: World, e: EventOf<'host.rlimit.set'>): Outcome {
  const mm = w.mms.get(e.mm);
  if (!mm) return refused('ESRCH');
  // lowering the limit never revokes existing charges; later charges are held to the new limit.
  mm.memlockPages = rlimitPages(e.memlock);
  return OK;
}

export function capSet(w: World, e: EventOf<'host.cap.set'>): Outcome {
  const mm = w.mms.get(e.mm);
  if (!mm) return refused('ESRCH');
  mm.capIpcLock = e.capIpcLock;
  return OK;
}

export function pciDeviceAdd(w: World, e: EventOf<'host.pci.device.add'>): Outcome {
  if (w.devices.has(e.device)) return refused('EEXIST');
  let group = w.groups.get(e.group);
  if (group && group.lc !== 'closed') return refused('EBUSY');
  // every device of a group shares its default domain.
  if (group && group.defaultDomain !== e.defaultDomain) return refused('EINVAL');
  if (!group) {
    const domain = TABLES['iommu-domain'];
    const dmaLc = e.defaultDomain === 'identity' ? domain.step(domain.initial, 'DEFAULT_IDENTITY').target : domain.initial;
    group = { id: e.group, defaultDomain: e.defaultDomain, devices: [], lc: TABLES['vfio-group'].initial, dmaLc, deviceFds: 0, kvmFileRefs: 0, tceCache: new Map() };
    w.groups.set(e.group, group);
  }
  group.devices.push(e.device);
  if (e.driver === 'host') group.dmaLc = TABLES['iommu-domain'].step(group.dmaLc, 'KERNEL_DRIVER_BIND').target;
  w.devices.set(e.device, { id: e.device, group: e.group, driver: e.driver, lc: TABLES['vfio-device'].initial, openCount: 0 });
  return OK;
}

/** Moves an unpinned page to another frame (move_pages(2)): bytes copied, old frame freed and zeroed. */
export function mmMigrate(w: World, e: EventOf<'host.mm.migrate'>): Outcome {
  const mm = w.mms.get(e.mm);
  if (!mm) return refused('ESRCH');
  const page = pageOf(e.hva);
  const from = mm.pages.get(page);
  if (from === undefined) return refused('ENOENT');
  if (pinCount(w, from) !== 0) {
    // migration of a pinned page fails only after the notifier ran; a shared table must ignore it.
    if (pointsOf(w).stage2ZapsPinned) kvmInvalidate(w, mm, page);
    return refused('EBUSY');
  }
  let to: number;
  if (e.pfn === undefined) to = allocFrame(w.frames, anonOwner(mm.id));
  else {
    if (e.pfn >= 1n << 52n) return refused('EINVAL');
    to = Number(e.pfn);
    if (!claimFrame(w.frames, to, anonOwner(mm.id))) return refused('EBUSY');
  }
  invalidatePage(w, mm, page);
  copyFrame(w.frames, from, to);
  mm.pages.set(page, to);
  freeFrame(w.frames, from);
  return OK;
}

export function dmaEntryLimitSet(w: World, e: EventOf<'host.vfio.dma_entry_limit'>): Outcome {
  w.dmaEntryLimit = e.limit;
  return OK;
}
