/**
 * locked-vm-accounting: each mm's locked_vm equals the pages its pinning holders charged
 * (kernel-facts §5.2, §8).
 */
import type { Invariant, Violation } from './types.js';
import { charges } from './holders.js';

export const lockedVmAccounting: Invariant = {
  name: 'locked-vm-accounting',
  kind: 'invariant',
  reads: ['containers', 'mms', 'tceTables', 'vms', 'zpci'],
  description: 'locked_vm equals the pages charged by pin holders',
  check(view) {
    const out: Violation[] = [];
    const { pages: charged } = charges(view.w);
    for (const mm of view.w.mms.values()) {
      const expect = charged.get(mm.id) ?? 0;
      if (mm.lockedVm !== expect) out.push({ property: this.name, message: `mm ${mm.id} has locked_vm ${mm.lockedVm} pages but holders charged ${expect}` });
    }
    return out;
  },
};
