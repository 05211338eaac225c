/** KVM invalidates the host entry of an invalidated guest entry but never unpins the page. */
import { registerFault, setDomainPte, ZPCI_PTE_INVALID } from '../src/index.js';

export default registerFault({
  name: 'kvm-leak-on-invalidate',
  base: 's390-kvm-shadow',
  description: 'the guest invalidates an entry and KVM never unpins the page (leak)',
  scenario: 'rpcit-shadow',
  property: 'pin-balance',
  ops: {
    zpci_kvm_shadow: {
      unshadow_entry: () => (w, x, iovaPage) => {
        setDomainPte(w.frames, x.dom, iovaPage, ZPCI_PTE_INVALID);
        x.f.shadow.delete(iovaPage);
      },
    },
  },
});
