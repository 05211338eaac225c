/**
 * locked-vm-limit: a step that raises an mm's locked_vm never takes it over RLIMIT_MEMLOCK unless
 * the charge bypassed the limit with CAP_IPC_LOCK. Lowering the limit revokes nothing, so only
 * increases are held to it (`__account_locked_vm`, kernel-facts §5.2).
 */
import type { TransitionProperty, Violation } from './types.js';
import { charges } from './holders.js';

export const lockedVmLimit: TransitionProperty<Map<string, number>> = {
  name: 'locked-vm-limit',
  kind: 'transition',
  description: 'no step charges locked_vm past RLIMIT_MEMLOCK without CAP_IPC_LOCK',
  // a step that changes no process leaves every locked_vm where it was: it raised none.
  changes: ['mms'],
  pre: (view) => new Map([...view.w.mms.values()].map((mm) => [mm.id, mm.lockedVm])),
  check(view, step) {
    const out: Violation[] = [];
    // who bypassed the limit is only asked when a charge went over it (nearly never).
    let bypassed: Set<string> | undefined;
    for (const mm of view.w.mms.values()) {
      const before = step.pre.get(mm.id) ?? 0;
      if (mm.lockedVm > before && mm.lockedVm > mm.memlockPages && !(bypassed ??= charges(view.w).bypassed).has(mm.id)) {
        out.push({ property: this.name, message: `mm ${mm.id} was charged to locked_vm ${mm.lockedVm} pages, over RLIMIT_MEMLOCK ${mm.memlockPages} pages` });
      }
    }
    return out;
  },
};
