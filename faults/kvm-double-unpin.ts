/** KVM drops two pins, not one, when an RPCIT finds a guest entry the host entry already matches. */
import { opsOf, registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-double-unpin',
  base: 's390-kvm-shadow',
  description: 'KVM unpins twice when an RPCIT repeats an unchanged entry',
  scenario: 'rpcit-shadow',
  property: 'pin-balance',
  ops: {
    zpci_kvm_shadow: {
      shadow_entry: (base) => (w, x, iovaPage, gpaPage, write) => {
        const r = base(w, x, iovaPage, gpaPage, write);
        if (r === 'same') opsOf(w).kvm.unpin_guest_page(w, x.vm, x.f.shadow.get(iovaPage)!.pfn, x.held);
        return r;
      },
    },
  },
});
