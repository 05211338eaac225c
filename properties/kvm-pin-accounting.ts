/**
 * kvm-pin-accounting: every pin KVM holds for a VM is accounted for by a guest page of that VM:
 * the page lies in one of its memslots and is backed by the pinned frame now (KVM unpins what a
 * memslot change or a destroyed VM leaves behind), and a destroyed VM holds none. Pin counts and
 * charges per frame are pin-balance's and locked-vm-accounting's concern.
 */
import { hex } from '../src/util/hex.js';
import { gpaToHvaPage } from '../src/kvm/memslots.js';
import { kvmPinRecords } from '../src/kvm/pins.js';
import type { Invariant, Violation } from './types.js';

export const kvmPinAccounting: Invariant = {
  name: 'kvm-pin-accounting',
  kind: 'invariant',
  reads: ['mms', 'vms', 'zpci'],
  description: "KVM's pins for a VM are on frames backing guest pages of its memslots",
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    for (const vm of w.vms.values()) {
      const mm = w.mms.get(vm.mm);
      for (const p of kvmPinRecords(w, vm)) {
        // the text only for a report: every new state asks.
        const report = (why: string) => out.push({ property: this.name, message: `VM ${vm.id}'s ${p.holder} pins frame ${hex(p.pfn)} for guest page ${hex(p.gpaPage)}, ${why}` });
        if (vm.lc === 'destroyed') {
          report('but the VM is destroyed');
          continue;
        }
        const h = gpaToHvaPage(vm, p.gpaPage);
        if (h === undefined) report('which no memslot holds');
        else if (mm?.pages.get(h) !== p.pfn) report('which no longer backs it');
      }
    }
    return out;
  },
};
