/**
 * Pins KVM takes on guest pages for a VM (s390: shadowed DMA pages, guest table pages, AEN
 * vectors; x86 stage2-shared: every guest page), charged to the VM owner's locked_vm once per
 * page: a page is charged when KVM's first pin on it is taken and released when its last one is
 * dropped.
 */
import { canCharge } from '../mm/pages.js';
import type { Vm, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { KvmOps } from '../ops/types.js';
import { faultInGuestPage } from './guest-memory.js';

/** One pin KVM holds for a VM: the guest page it was taken for, the frame, and which record holds it. */
export interface KvmPin {
  readonly gpaPage: number;
  readonly pfn: number;
  readonly holder: string;
}

/** Every pin KVM holds for one VM, from its functions' and its shared table's records. Pure. */
export function kvmPinRecords(w: World, vm: Vm): KvmPin[] {
  const out: KvmPin[] = [];
  for (const f of w.zpci.values()) {
    if (f.vm !== vm.id) continue;
    // each holder's text made once per function, not per pin: every new state's check lists them.
    const shadow = `zPCI ${f.id} shadow entry`;
    const table = `zPCI ${f.id} guest table page`;
    for (const s of f.shadow.values()) out.push({ gpaPage: s.gpaPage, pfn: s.pfn, holder: shadow });
    for (const [gpaPage, pfn] of f.tablePins) out.push({ gpaPage, pfn, holder: table });
    for (const p of f.aen?.pins ?? []) out.push({ gpaPage: p.gpaPage, pfn: p.pfn, holder: `zPCI ${f.id} AEN vector` });
  }
  for (const [gpaPage, pfn] of vm.shared?.pins ?? []) out.push({ gpaPage, pfn, holder: 'shared stage-2' });
  return out;
}

/** KVM's pin count per frame for one VM. Pure. */
export function kvmPinsOf(w: World, vm: Vm): Map<number, number> {
  const pins = new Map<number, number>();
  // the same records kvmPinRecords lists, counted without making one (every RPCIT asks).
  const count = (pfn: number) => pins.set(pfn, (pins.get(pfn) ?? 0) + 1);
  for (const f of w.zpci.values()) {
    if (f.vm !== vm.id) continue;
    for (const s of f.shadow.values()) count(s.pfn);
    for (const pfn of f.tablePins.values()) count(pfn);
    for (const p of f.aen?.pins ?? []) count(p.pfn);
  }
  for (const pfn of vm.shared?.pins.values() ?? []) count(pfn);
  return pins;
}

export const KVM_PIN_OPS: Pick<KvmOps, 'pin_guest_page' | 'unpin_guest_page' | 'account_pinned'> = {
  pin_guest_page(w, vm, gpaPage, held) {
    const pfn = faultInGuestPage(w, vm, gpaPage);
    if (pfn === undefined) return { code: 'EFAULT' };
    const ops = opsOf(w);
    const count = held.get(pfn) ?? 0;
    // the page is found and pinned in one step (gup takes its reference under the PTE lock), so
    // it cannot move in between; the charge comes after, and a refused one drops the pin again.
    ops.mm.pin_page(w, pfn);
    if (count === 0 && ops.kvm.account_pinned(w, vm, 1)) {
      ops.mm.unpin_page(w, pfn);
      return { code: 'ENOMEM' };
    }
    held.set(pfn, count + 1);
    return { pfn };
  },

  unpin_guest_page(w, vm, pfn, held) {
    const ops = opsOf(w);
    const count = (held.get(pfn) ?? 0) - 1;
    if (count <= 0) {
      held.delete(pfn);
      ops.kvm.account_pinned(w, vm, -1);
    } else held.set(pfn, count);
    ops.mm.unpin_page(w, pfn);
  },

  account_pinned(w, vm, npages) {
    const mm = w.mms.get(vm.mm);
    if (!mm) return undefined;
    if (npages > 0 && !canCharge(mm, npages, mm.capIpcLock)) return 'ENOMEM';
    opsOf(w).mm.account_locked_vm(w, mm, npages);
    return undefined;
  },
};
