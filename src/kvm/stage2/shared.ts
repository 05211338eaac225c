/**
 * The stage2-shared design: a group's IOMMU walks KVM's own stage-2 table (the VT-d walker reads
 * the EPT bytes), so nothing is mapped through VFIO at all. Devices cannot take the faults KVM
 * relies on, so KVM must keep every guest page present and pinned for as long as the table is
 * shared (charged to locked_vm like any long-term DMA pin), must flush the IOMMU's IOTLB with its
 * own TLBs, and cannot write-protect the table for dirty logging (dirty-log.ts refuses).
 */
import type { EventOf } from '../../events/types.js';
import { TABLES } from '../../../machines/index.js';
import { vtdTranslate } from '../../iommu/vtd/table.js';
import { canCharge } from '../../model/pages.js';
import { OK, refused, type Outcome } from '../../model/outcome.js';
import type { Domain, Memslot, Vm, World } from '../../model/world.js';
import { guestRamPage } from '../guest-memory.js';
import { kvmPin, kvmPinsOf, kvmUnpin } from '../pins.js';
import { s2Ensure, s2Install, s2IsDirty, s2SetDirty, s2Zap } from './table.js';
import { pointsOf, registerVariant } from '../../model/variant.js';
import { KVM_MEM_READONLY } from '../memslot-flags.js';

const KV = TABLES['kvm-vfio-device'];
/**
 * The model's own bound on the guest memory one share may pin (4 GiB), standing in for the host
 * running out of memory long before a VMM with CAP_IPC_LOCK pins an 8 TiB memslot page by page.
 */
export const SHARE_MAX_PAGES = 1 << 20;

/** The kvm-stage2 domain walking this VM's table, if any. */
export function sharedDomainOf(w: World, vm: Vm): Domain | undefined {
  return vm.shared ? w.domains.get(vm.shared.domain) : undefined;
}

/**
 * KVM changed leaves of its table and flushed its TLBs. An IOMMU walking the table caches its
 * leaves too, so the flush must reach its IOTLB (`iommuToo` false only in a seeded fault).
 */
export function stage2Flushed(w: World, vm: Vm, iommuToo = true): void {
  const dom = sharedDomainOf(w, vm);
  if (dom && iommuToo && !pointsOf(w).stage2FlushCpuOnly) flushIotlb(w, dom);
}

/** Drops every translation the IOMMU cached from the shared table. */
function flushIotlb(w: World, dom: Domain): void {
  dom.iotlb!.clear();
  w.stats.iotlbFlushes++;
}

/** Checks that every page of `slots` can be pinned: EFAULT outside a VMA, ENOMEM over RLIMIT_MEMLOCK. */
function checkPinnable(w: World, vm: Vm, slots: readonly Memslot[]): Outcome | undefined {
  const mm = w.mms.get(vm.mm)!;
  const held = kvmPinsOf(w, vm);
  let total = 0;
  let fresh = 0;
  for (const s of slots) {
    total += s.pages;
    if (total > SHARE_MAX_PAGES) return refused('ENOMEM');
    for (let i = 0; i < s.pages; i++) {
      const h = guestRamPage(w, vm, s.gpaPage + i);
      if (h === undefined) return refused('EFAULT');
      const pfn = mm.pages.get(h);
      if (pfn === undefined || !held.has(pfn)) fresh++;
    }
  }
  return canCharge(mm, fresh, mm.capIpcLock) ? undefined : refused('ENOMEM');
}

/** Pins and maps every page of a slot (the caller checked it can). */
function pinSlot(w: World, vm: Vm, s: Memslot): void {
  const held = kvmPinsOf(w, vm);
  for (let i = 0; i < s.pages; i++) {
    const r = kvmPin(w, vm, s.gpaPage + i, held);
    if ('code' in r) throw new Error(`stage2-shared: pin of a checked page failed with ${r.code}`);
    vm.shared!.pins.set(s.gpaPage + i, r.pfn);
    // the guest may not write a read-only slot, so neither may a device walking its leaves.
    s2Install(w, vm, s.gpaPage + i, r.pfn, (s.flags & KVM_MEM_READONLY) === 0);
  }
}

/** Zaps and unpins a slot's pages: the IOTLB is flushed before any page is released. */
function unpinSlot(w: World, vm: Vm, s: Memslot): void {
  const held = kvmPinsOf(w, vm);
  const pins = vm.shared!.pins;
  const dropped: number[] = [];
  for (const [gpaPage, pfn] of pins) {
    if (gpaPage < s.gpaPage || gpaPage >= s.gpaPage + s.pages) continue;
    s2Zap(w, vm, gpaPage);
    pins.delete(gpaPage);
    dropped.push(pfn);
  }
  stage2Flushed(w, vm);
  for (const pfn of dropped) kvmUnpin(w, vm, pfn, held);
}

/** A new memslot of a shared VM is pinned and mapped at once; returns a refusal that changed nothing. */
export function sharedSlotAdded(w: World, vm: Vm, s: Memslot): Outcome | undefined {
  if (!vm.shared) return undefined;
  const bad = checkPinnable(w, vm, [s]);
  if (bad) return bad;
  pinSlot(w, vm, s);
  return undefined;
}

/** A memslot of a shared VM goes away: its pages are unmapped, flushed, then unpinned. */
export function sharedSlotRemoved(w: World, vm: Vm, s: Memslot): void {
  if (vm.shared) unpinSlot(w, vm, s);
}

export function shareStage2(w: World, e: EventOf<'vmm.kvm.vfio.share_stage2'>): Outcome {
  const d = w.kvmdevs.get(e.dev);
  if (!d) return refused('EBADF');
  const st = KV.step(d.lc, 'SHARE_STAGE2');
  if (st.code) return refused(st.code);
  const g = w.groups.get(e.group);
  if (!g || g.lc === 'closed' || g.lc === 'orphaned') return refused('EBADF');
  if (!d.files.includes(g.id)) return refused('ENOENT');
  // only an IOMMU that reads the EPT format (VT-d second stage) can walk KVM's table.
  if (w.arch !== 'x86') return refused('ENODEV');
  const vm = w.vms.get(d.vm)!;
  const c = g.container === undefined ? undefined : w.containers.get(g.container);
  if (!c?.iommu || c.iommu.kvm || g.dmaLc !== 'unmanaged' || c.mm !== vm.mm) return refused('EINVAL');
  if (vm.shared && g.domain === vm.shared.domain) return refused('EBUSY');
  // the container's own mappings would silently stop applying to this group.
  if (c.iommu.dmas.length > 0) return refused('EBUSY');
  if (vm.slots.some((s) => s.dirty)) return refused('EBUSY');
  if (!vm.shared) {
    const bad = checkPinnable(w, vm, vm.slots);
    if (bad) return bad;
    const id = 'dom' + w.nextDomain++;
    vm.shared = { domain: id, pins: new Map() };
    for (const s of vm.slots) pinSlot(w, vm, s);
    s2Ensure(w, vm);
    w.domains.set(id, { id, type: 'kvm-stage2', format: 'vtd', container: c.id, root: vm.s2!.root, tables: [], vm: vm.id, iotlb: new Map() });
  }
  g.domain = vm.shared.domain;
  return OK;
}

/** The group stops walking KVM's table (FILE_DEL, KVM-VFIO release, leaving its container); the last one unpins everything. */
export function stopSharing(w: World, groupId: string): void {
  const g = w.groups.get(groupId)!;
  const dom = g.domain === undefined ? undefined : w.domains.get(g.domain);
  if (dom?.type !== 'kvm-stage2') return;
  const c = g.container === undefined ? undefined : w.containers.get(g.container);
  g.domain = c?.iommu?.domain;
  if ([...w.groups.values()].some((x) => x.domain === dom.id)) return;
  const vm = w.vms.get(dom.vm!)!;
  flushIotlb(w, dom);
  w.domains.delete(dom.id);
  const held = kvmPinsOf(w, vm);
  const pins = vm.shared!.pins;
  vm.shared = undefined;
  for (const pfn of pins.values()) kvmUnpin(w, vm, pfn, held);
}

/** One page of a device access through the shared table: the IOTLB, else a walk of the EPT bytes. */
export function sharedTranslate(w: World, dom: Domain, iovaPage: number): { pfn: number; write: boolean; dirty: boolean; fill: boolean } | undefined {
  const hit = dom.iotlb!.get(iovaPage);
  if (hit) return { pfn: hit.pfn, write: hit.write, dirty: hit.dirty === true, fill: false };
  const t = vtdTranslate(w.frames, dom.root, iovaPage);
  return t ? { pfn: t.pfn, write: t.write, dirty: s2IsDirty(w, w.vms.get(dom.vm!)!, iovaPage), fill: true } : undefined;
}

/**
 * The dirty-bits design: a device write through an IOTLB entry not yet marked dirty sets the
 * leaf's D bit and marks the entry; an entry already marked dirty writes without touching the table.
 */
export function sharedDeviceWrote(w: World, dom: Domain, iovaPage: number): void {
  if (!pointsOf(w).stage2DirtyBits) return;
  const e = dom.iotlb!.get(iovaPage);
  if (!e || e.dirty) return;
  s2SetDirty(w, w.vms.get(dom.vm!)!, iovaPage);
  e.dirty = true;
}

export const STAGE2_SHARED_DIRTY_BITS = registerVariant({
  name: 'stage2-shared-dirty-bits',
  description: 'stage2-shared with dirty logging through the D bits the CPU and the IOMMU set (second-stage A/D); GET_DIRTY_LOG harvests them and flushes the IOTLB',
  points: { stage2DirtyBits: true },
});
