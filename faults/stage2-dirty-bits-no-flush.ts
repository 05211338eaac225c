/** The dirty-bits design clears D bits at GET_DIRTY_LOG without flushing the IOTLB. */
import { registerFault } from '../src/index.js';

export default registerFault({
  name: 'stage2-dirty-bits-no-flush',
  base: 'stage2-shared-dirty-bits',
  description: 'stage2-shared with dirty bits: GET_DIRTY_LOG clears the D bits without flushing the IOTLB, so a device writing through a cached entry marked dirty never sets D again',
  scenario: 'stage2-shared',
  params: { S: 1 },
  property: 'dirty-tracking-complete',
  ops: { kvm_mmu: { rearm_dirty_log: () => () => undefined } },
});
