/** Releasing a KVM TCE table frees it but never returns its charge to locked_vm. */
import { opsOf, registerFault } from '../src/index.js';

export default registerFault({
  name: 'spapr-close-table-keeps-charge',
  description: 'KVM TCE table release frees the table and keeps the locked_vm charge',
  scenario: 'spapr-lifecycle',
  params: { T: 1 },
  property: 'locked-vm-accounting',
  ops: {
    kvm_spapr_tce: {
      close_table: (base) => (w, e) => {
        const t = w.tceTables.get(e.table);
        const mm = t && w.mms.get(w.vms.get(t.vm)?.mm ?? '');
        const out = base(w, e);
        // the charge the release just returned is taken again: it is never given back.
        if (t && mm && out.code === 'OK') opsOf(w).mm.account_locked_vm(w, mm, t.charged);
        return out;
      },
    },
  },
});
