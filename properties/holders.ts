/**
 * Who holds pins and charges, and which page an IOMMU entry was made for: the facts the
 * properties compare the tables and counters against. Each domain type declares its own lookup,
 * so the properties do not branch on designs.
 */
import { findDma } from '../src/vfio/type1/dma-list.js';
import { gpaToHvaPage } from '../src/kvm/memslots.js';
import { kvmPinsOf } from '../src/kvm/pins.js';
import type { Domain, World } from '../src/model/world.js';

/** The process page an IOMMU entry was created for; 'unknown' when no holder accounts for it; 'skip' when deliberately unknown. */
export type MappedPage = { mm: string; vpage: number } | 'unknown' | 'skip';

const MAPPED_PAGE: Record<Domain['type'], (w: World, d: Domain, iovaPage: number) => MappedPage> = {
  unmanaged(w, d, iovaPage) {
    const t1 = w.containers.get(d.container)?.iommu;
    const dma = t1 ? findDma(t1.dmas, iovaPage) : undefined;
    if (!dma) return 'unknown';
    // live update: the vaddr is unknown until userspace supplies the new one.
    if (dma.vaddrInvalid) return 'skip';
    return { mm: dma.mm, vpage: dma.vaddrPage + (iovaPage - dma.iovaPage) };
  },
  kvm(w, d, iovaPage) {
    for (const f of w.zpci.values()) {
      if (f.container !== d.container) continue;
      const s = f.shadow.get(iovaPage);
      const vm = w.vms.get(f.vm);
      if (!s || !vm) continue;
      const h = gpaToHvaPage(vm, s.gpaPage);
      return h === undefined ? 'unknown' : { mm: vm.mm, vpage: h };
    }
    return 'unknown';
  },
  'kvm-stage2'(w, d, iovaPage) {
    // the IOVA is the guest-physical address: the memslots say which process page it is.
    const vm = w.vms.get(d.vm!);
    const h = vm && gpaToHvaPage(vm, iovaPage);
    return vm && h !== undefined ? { mm: vm.mm, vpage: h } : 'unknown';
  },
};

export function mappedPage(w: World, d: Domain, iovaPage: number): MappedPage {
  // a paging domain lent to KVM (the flag design) holds KVM's shadow entries, and what userspace mapped before.
  if (d.owner === 'lent') {
    const k = MAPPED_PAGE.kvm(w, d, iovaPage);
    return k === 'unknown' ? MAPPED_PAGE.unmanaged(w, d, iovaPage) : k;
  }
  return MAPPED_PAGE[d.type](w, d, iovaPage);
}

/** Pins the model's holders claim, per frame: type1 vfio_dma ranges and KVM's pins for each VM. */
export function heldPins(w: World): Map<number, number> {
  const held = new Map<number, number>();
  const add = (pfn: number, n = 1) => held.set(pfn, (held.get(pfn) ?? 0) + n);
  for (const c of w.containers.values()) for (const dma of c.iommu?.dmas ?? []) for (const pfn of dma.pfns) add(pfn);
  // sPAPR: preregistered memory is the process's (one pin per page, however many containers use it).
  for (const mm of w.mms.values()) for (const r of mm.iommuMem) for (const pfn of r.pfns) add(pfn);
  for (const vm of w.vms.values()) for (const [pfn, n] of kvmPinsOf(w, vm)) add(pfn, n);
  return held;
}

/** Pages charged to each mm's locked_vm by the holders, and whether any charge bypassed the limit. */
export function charges(w: World): { pages: Map<string, number>; bypassed: Set<string> } {
  const pages = new Map<string, number>();
  const bypassed = new Set<string>();
  const add = (mm: string, n: number) => pages.set(mm, (pages.get(mm) ?? 0) + n);
  for (const c of w.containers.values()) {
    for (const dma of c.iommu?.dmas ?? []) {
      add(dma.mm, dma.accounted);
      if (dma.lockCap) bypassed.add(dma.mm);
    }
  }
  // sPAPR: preregistered memory (once per region of the process) and each window's table are charged to the mm.
  for (const mm of w.mms.values()) for (const r of mm.iommuMem) add(mm.id, r.pages);
  for (const c of w.containers.values()) {
    for (const win of c.spapr?.windows ?? []) if (win) add(c.mm, win.charged);
  }
  // KVM_CREATE_SPAPR_TCE_64 charges its whole table up front.
  for (const t of w.tceTables.values()) {
    const vm = w.vms.get(t.vm);
    if (vm) add(vm.mm, t.charged);
  }
  // KVM charges each page it pins once, however many pins it holds on it.
  for (const vm of w.vms.values()) {
    const n = kvmPinsOf(w, vm).size;
    if (n === 0) continue;
    add(vm.mm, n);
    if (w.mms.get(vm.mm)?.capIpcLock) bypassed.add(vm.mm);
  }
  return { pages, bypassed };
}
