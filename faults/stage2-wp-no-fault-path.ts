/** KVM logs a shared table by write-protection and flushes CPU TLBs only: devices keep writing unlogged. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'stage2-wp-no-fault-path',
  base: 'stage2-shared',
  description: 'stage2-shared: KVM write-protects the shared table for dirty logging, flushing CPU TLBs only; devices take no write-protection faults, so their writes go unlogged',
  scenario: 'stage2-shared',
  params: { S: 1 },
  property: 'dirty-tracking-complete',
  ops: {
    kvm_mmu: {
      dirty_log_mode: () => () => 'write-protect',
      flush_remote_tlbs_memslot: () => () => undefined,
    },
  },
});
