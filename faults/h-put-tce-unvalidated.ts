/** KVM's H_PUT_TCE takes the guest's TCE address as a host frame: no validation, no translation. */
import { H, registerFault, TCE_PERM_MASK } from '../src/index.js';

export default registerFault({
  name: 'h-put-tce-unvalidated',
  base: 'liobn-to-container',
  description: "KVM's H_PUT_TCE writes the guest's TCE address into the hardware table as a host frame, unvalidated",
  scenario: 'liobn-binding',
  property: 'isolation',
  ops: {
    kvm_spapr_tce: {
      tce_validate: () => () => H.SUCCESS,
      tce_to_frames: () => (_w, _vm, _x, t, tce) => {
        // a 52-bit physical address space: the frame number the guest's bits name.
        const pfn = Number(((tce & ~TCE_PERM_MASK) >> 12n) & 0xff_ffff_ffffn);
        return Array.from({ length: 1 << (t.pageShift - 12) }, (_, i) => pfn + i);
      },
    },
  },
});
