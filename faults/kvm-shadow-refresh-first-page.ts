/** KVM's RPCIT shadowing refreshes only the first page of the range the guest names. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'kvm-shadow-refresh-first-page',
  description: 'kvm-shadow RPCIT handles the first 4 KiB of its range and reports the whole range done',
  scenario: 'rpcit-ranges',
  property: 'translation-coherence',
  ops: {
    zpci_kvm_shadow: {
      refresh: (base) => (w, vm, f, start, end) => base(w, vm, f, start, end - start > 0x1000n ? start + 0x1000n : end),
    },
  },
});
