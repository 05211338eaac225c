/**
 * mmu_notifier invalidate_range_start for one process page, before the host moves it: every
 * secondary translation of the page is dropped first. KVM zaps its stage-2 leaves (and, when an
 * IOMMU walks that table, flushes the IOTLB with its TLBs); SVA bindings on the mm drop the
 * device's cached translations. Only after that may the page move.
 */
import type { Mm } from '../memory/mm.js';
import { s2Zap } from '../kvm/stage2/table.js';
import { stage2Flushed } from '../kvm/stage2/shared.js';
import { svaInvalidate } from '../iommu/sva.js';
import type { World } from './world.js';

/** KVM's handler: zaps the leaves of every guest page the process page backs. */
export function kvmInvalidate(w: World, mm: Mm, page: number): void {
  for (const vm of w.vms.values()) {
    if (vm.mm !== mm.id || !vm.s2) continue;
    let zapped = false;
    for (const s of vm.slots) if (page >= s.hvaPage && page < s.hvaPage + s.pages) zapped = s2Zap(w, vm, s.gpaPage + (page - s.hvaPage)) || zapped;
    if (zapped) stage2Flushed(w, vm);
  }
}

export function invalidatePage(w: World, mm: Mm, page: number): void {
  kvmInvalidate(w, mm, page);
  svaInvalidate(w, mm, page);
}
