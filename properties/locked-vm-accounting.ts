/**
 * locked-vm-accounting: each mm's locked_vm equals the pages its pinning holders charged, and stays
 * within RLIMIT_MEMLOCK unless a holder bypassed it with CAP_IPC_LOCK (kernel-facts §5.2, §8).
 * Lowering the limit does not revoke charges, so the bound is the larger of the limit and the
 * charge at the time it was lowered.
 */
import type { Property, Violation } from './types.js';
import { charges } from './holders.js';

export const lockedVmAccounting: Property = {
  name: 'locked-vm-accounting',
  kind: 'invariant',
  description: 'locked_vm equals the pages charged by pin holders and respects RLIMIT_MEMLOCK',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const { pages: charged, bypassed } = charges(w);
    for (const mm of w.mms.values()) {
      const expect = charged.get(mm.id) ?? 0;
      if (mm.lockedVm !== expect) {
        out.push({ property: this.name, message: `mm ${mm.id} has locked_vm ${mm.lockedVm} pages but holders charged ${expect}` });
      }
      const bound = Math.max(mm.memlockPages, mm.grandfathered);
      if (!bypassed.has(mm.id) && mm.lockedVm > bound) {
        out.push({ property: this.name, message: `mm ${mm.id} has locked_vm ${mm.lockedVm} pages over RLIMIT_MEMLOCK ${mm.memlockPages} pages` });
      }
    }
    return out;
  },
};
