/** KVM shadows a read-only guest entry as writable. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-ro-as-rw',
  base: 's390-kvm-shadow',
  description: 'a read-only guest entry is shadowed as writable',
  scenario: 'rpcit-shadow',
  property: 'translation-coherence',
  ops: { zpci_kvm_shadow: { shadow_entry: (base) => (w, x, iovaPage, gpaPage) => base(w, x, iovaPage, gpaPage, true) } },
});
