/** Guest physical pages as seen by QEMU and KVM: through the memslots to the VMM's frames. */
import type { PageResolver } from '../memory/phys.js';
import { firstUnmapped } from '../memory/mm.js';
import type { Vm, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { gpaToHvaPage } from './memslots.js';

/** Resolves guest pages to frames without faulting anything in (reads of untouched memory see zeros). */
export function guestResolver(w: World, vm: Vm): PageResolver {
  const mm = w.mms.get(vm.mm)!;
  return (gpaPage) => {
    const h = gpaToHvaPage(vm, gpaPage);
    return h === undefined ? undefined : mm.pages.get(h);
  };
}

/** The VMM virtual page backing a guest page, if the guest page is RAM (inside a memslot and a VMA). */
export function guestRamPage(w: World, vm: Vm, gpaPage: number): number | undefined {
  const h = gpaToHvaPage(vm, gpaPage);
  if (h === undefined || firstUnmapped(w.mms.get(vm.mm)!, h, 1) >= 0) return undefined;
  return h;
}

/** The frame of a guest RAM page, faulting it in as gfn_to_page / pin_user_pages would. */
export function faultInGuestPage(w: World, vm: Vm, gpaPage: number): number | undefined {
  const h = guestRamPage(w, vm, gpaPage);
  return h === undefined ? undefined : opsOf(w).mm.fault_in(w, w.mms.get(vm.mm)!, h);
}
