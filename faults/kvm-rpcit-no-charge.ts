/** KVM pins guest pages without charging them to locked_vm (the v4 review's objection). */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-rpcit-no-charge',
  base: 's390-kvm-shadow',
  description: "the KVM RPCIT path pins without charging locked_vm (the v4 review's objection)",
  scenario: 'rpcit-shadow',
  property: 'locked-vm-accounting',
  ops: { kvm: { account_pinned: () => () => undefined } },
});
