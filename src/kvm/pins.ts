/**
 * Pins KVM takes on guest pages for a VM (s390: shadowed DMA pages, guest table pages, AEN
 * vectors; x86 stage2-shared: every guest page),
 * charged to the VM owner's locked_vm once per page: a page is charged when KVM's first pin on it
 * is taken and released when its last one is dropped.
 */
import { canCharge, charge, pinFrame, uncharge, unpinFrame } from '../model/pages.js';
import type { Vm, World } from '../model/world.js';
import { faultInGuestPage } from './guest-memory.js';
import { pointsOf } from '../model/variant.js';

/** Whether KVM charges its pins to locked_vm (a variant may not: the review's objection to v4). */
const charges = (w: World) => pointsOf(w).kvmShadowCharges !== false;

/** KVM's pin count per frame for one VM, from its functions' records. */
export function kvmPinsOf(w: World, vm: Vm): Map<number, number> {
  const pins = new Map<number, number>();
  const add = (pfn: number) => pins.set(pfn, (pins.get(pfn) ?? 0) + 1);
  for (const f of w.zpci.values()) {
    if (f.vm !== vm.id) continue;
    for (const s of f.shadow.values()) add(s.pfn);
    for (const pfn of f.tablePins.values()) add(pfn);
    for (const p of f.aen?.pins ?? []) add(p.pfn);
  }
  for (const pfn of vm.shared?.pins.values() ?? []) add(pfn);
  return pins;
}

export type PinResult = { pfn: number } | { code: 'EFAULT' | 'ENOMEM' };

/** Pins one guest page for KVM: EFAULT outside guest RAM, ENOMEM when a new page would exceed RLIMIT_MEMLOCK. */
export function kvmPin(w: World, vm: Vm, gpaPage: number, held: Map<number, number>): PinResult {
  const pfn = faultInGuestPage(w, vm, gpaPage);
  if (pfn === undefined) return { code: 'EFAULT' };
  const mm = w.mms.get(vm.mm)!;
  const count = held.get(pfn) ?? 0;
  if (count === 0 && charges(w)) {
    if (!canCharge(mm, 1, mm.capIpcLock)) return { code: 'ENOMEM' };
    charge(mm, 1);
  }
  held.set(pfn, count + 1);
  pinFrame(w, pfn);
  return { pfn };
}

/** Drops one KVM pin; the page's charge goes with its last pin. */
export function kvmUnpin(w: World, vm: Vm, pfn: number, held: Map<number, number>): void {
  const count = (held.get(pfn) ?? 0) - 1;
  if (count <= 0) {
    held.delete(pfn);
    if (charges(w)) uncharge(w.mms.get(vm.mm)!, 1);
  } else held.set(pfn, count);
  unpinFrame(w, pfn);
}
