/** KVM's mmu-notifier handler zaps the shared leaf of a pinned page, whose migration then fails. */
import { opsOf, pageOf, registerFault } from '../src/index.js';

export default registerFault({
  name: 'stage2-zap-pinned',
  base: 'stage2-shared',
  description: "stage2-shared: KVM's mmu-notifier handler zaps the shared entry of a pinned page (the migration then fails on the pin)",
  scenario: 'stage2-shared',
  params: { S: 1 },
  property: 'shared-stage2-populated',
  ops: {
    mm: {
      migrate: (base) => (w, e) => {
        // the notifier runs before migrate_pages sees the pin.
        const mm = w.mms.get(e.mm);
        const pfn = mm?.pages.get(pageOf(e.hva));
        if (mm && pfn !== undefined && opsOf(w).mm.page_pinned(w, pfn)) opsOf(w).kvm_mmu.invalidate_range_start(w, mm, pageOf(e.hva));
        return base(w, e);
      },
    },
  },
});
