/** The v3 SET_KVM notifier ignores SET_KVM with NULL, so the zdev keeps a pointer to a VM that goes away. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'notifier-ignores-null',
  base: 'kvm-association-notifier',
  description: 'the v3 SET_KVM notifier ignores SET_KVM with NULL',
  scenario: 'zpci-teardown',
  params: { A: 1 },
  property: 'no-dangling-kvm',
  ops: {
    kvm_association_notifier: {
      group_set_kvm: (base) => (w, g, kvm) => {
        if (kvm !== undefined) base(w, g, kvm);
      },
    },
  },
});
