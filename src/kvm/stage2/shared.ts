/**
 * The stage2-shared design: a group's IOMMU walks KVM's own stage-2 table (the VT-d walker reads
 * the EPT bytes), so nothing is mapped through VFIO at all. Devices cannot take the faults KVM
 * relies on, so KVM must keep every guest page present and pinned for as long as the table is
 * shared (charged to locked_vm like any long-term DMA pin), must flush the IOMMU's IOTLB with its
 * own TLBs, and cannot write-protect the table for dirty logging (kvm_mmu.dirty_log_mode).
 */
import { archRefusal } from '../../events/arch.js';
import { vtdTranslate } from '../../iommu/vtd/table.js';
import { canCharge } from '../../mm/pages.js';
import { OK, refused, type Outcome } from '../../model/outcome.js';
import type { Domain, Memslot, Vm, World } from '../../model/world.js';
import { opsOf } from '../../ops/registry.js';
import { machineOf, stepMachine } from '../../ops/machines.js';
import type { Stage2ShareOps } from '../../ops/types.js';
import { guestRamPage } from '../guest-memory.js';
import { kvmPinsOf } from '../pins.js';
import { s2Ensure, s2Install, s2IsDirty, s2SetDirty } from './table.js';
import { KVM_MEM_READONLY } from '../memslot-flags.js';

/**
 * The model's own bound on the guest memory one share may pin (4 GiB), standing in for the host
 * running out of memory long before a VMM with CAP_IPC_LOCK pins an 8 TiB memslot page by page.
 */
export const SHARE_MAX_PAGES = 1 << 20;

/** The kvm-stage2 domain walking this VM's table, if any. */
export function sharedDomainOf(w: World, vm: Vm): Domain | undefined {
  return vm.shared ? w.domains.get(vm.shared.domain) : undefined;
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
  const ops = opsOf(w);
  const held = kvmPinsOf(w, vm);
  for (let i = 0; i < s.pages; i++) {
    const r = ops.kvm.pin_guest_page(w, vm, s.gpaPage + i, held);
    if ('code' in r) throw new Error(`stage2-shared: pin of a checked page failed with ${r.code}`);
    vm.shared!.pins.set(s.gpaPage + i, r.pfn);
    // the guest may not write a read-only slot, so neither may a device walking its leaves.
    s2Install(w, vm, s.gpaPage + i, r.pfn, (s.flags & KVM_MEM_READONLY) === 0);
  }
}

/** One page of a device access through the shared table: the IOTLB, else a walk of the EPT bytes. */
export function sharedTranslate(w: World, dom: Domain, iovaPage: number): { pfn: number; write: boolean; dirty: boolean; fill: boolean } | undefined {
  const hit = dom.iotlb!.get(iovaPage);
  if (hit) return { pfn: hit.pfn, write: hit.write, dirty: hit.dirty === true, fill: false };
  const t = vtdTranslate(w.frames, dom.root, iovaPage);
  return t ? { pfn: t.pfn, write: t.write, dirty: s2IsDirty(w, w.vms.get(dom.vm!)!, iovaPage), fill: true } : undefined;
}

export const STAGE2_SHARE_OPS: Stage2ShareOps = {
  share(w, d, g) {
    // only an IOMMU that reads the EPT format (VT-d second stage) can walk KVM's table.
    const elsewhere = archRefusal(w.arch, 'vmm.kvm.vfio.share_stage2');
    if (elsewhere) return refused(elsewhere);
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
      // KVM's own table: only KVM writes it, so it is a KVM-owned domain.
      const owner = stepMachine(w, 'domain-owner', machineOf(w, 'domain-owner').initial, 'ALLOC_KVM', id).target;
      w.domains.set(id, { id, type: 'kvm-stage2', format: 'vtd', container: c.id, root: vm.s2!.root, tables: [], vm: vm.id, iotlb: new Map(), owner });
    }
    g.domain = vm.shared.domain;
    return OK;
  },

  stop_sharing(w, groupId) {
    const g = w.groups.get(groupId)!;
    const dom = g.domain === undefined ? undefined : w.domains.get(g.domain);
    if (dom?.type !== 'kvm-stage2') return;
    const c = g.container === undefined ? undefined : w.containers.get(g.container);
    g.domain = c?.iommu?.domain;
    if ([...w.groups.values()].some((x) => x.domain === dom.id)) return;
    const ops = opsOf(w);
    const vm = w.vms.get(dom.vm!)!;
    ops.kvm_stage2_share.flush_iotlb(w, dom);
    w.domains.delete(dom.id);
    const held = kvmPinsOf(w, vm);
    const pins = vm.shared!.pins;
    vm.shared = undefined;
    for (const pfn of pins.values()) ops.kvm.unpin_guest_page(w, vm, pfn, held);
  },

  slot_added(w, vm, s) {
    if (!vm.shared) return undefined;
    const bad = checkPinnable(w, vm, [s]);
    if (bad) return bad;
    pinSlot(w, vm, s);
    return undefined;
  },

  slot_removed(w, vm, s) {
    if (!vm.shared) return;
    const ops = opsOf(w);
    const held = kvmPinsOf(w, vm);
    const pins = vm.shared.pins;
    const dropped: number[] = [];
    for (const [gpaPage, pfn] of pins) {
      if (gpaPage < s.gpaPage || gpaPage >= s.gpaPage + s.pages) continue;
      ops.kvm_mmu.zap_gfn(w, vm, gpaPage);
      pins.delete(gpaPage);
      dropped.push(pfn);
    }
    // the IOTLB is flushed before any page is released.
    ops.kvm_mmu.flush_remote_tlbs(w, vm);
    for (const pfn of dropped) ops.kvm.unpin_guest_page(w, vm, pfn, held);
  },

  flush_iotlb(w, dom) {
    dom.iotlb!.clear();
    w.stats.iotlbFlushes++;
  },

  device_wrote(w, dom, iovaPage) {
    const vm = w.vms.get(dom.vm!)!;
    // only while KVM logs through the D bits does the IOMMU update them (second-stage A/D enabled).
    if (opsOf(w).kvm_mmu.dirty_log_mode(w, vm) !== 'dirty-bits') return;
    const e = dom.iotlb!.get(iovaPage);
    if (!e || e.dirty) return;
    s2SetDirty(w, vm, iovaPage);
    e.dirty = true;
  },
};
