/** When the IOMMU stops walking KVM's stage-2 table, KVM forgets the pages it pinned for it without unpinning them. */
import { opsOf, registerFault } from '../src/index.js';

export default registerFault({
  name: 'stage2-stop-sharing-keeps-pins',
  description: "stop_sharing drops the shared-table record and leaves every page KVM pinned for it pinned",
  scenario: 'stage2-lifecycle',
  params: { T: 1 },
  property: 'pin-balance',
  ops: {
    kvm_stage2_share: {
      stop_sharing: () => (w, groupId) => {
        const g = w.groups.get(groupId)!;
        const dom = g.domain === undefined ? undefined : w.domains.get(g.domain);
        if (dom?.type !== 'kvm-stage2') return;
        const c = g.container === undefined ? undefined : w.containers.get(g.container);
        g.domain = c?.iommu?.domain;
        if ([...w.groups.values()].some((x) => x.domain === dom.id)) return;
        const vm = w.vms.get(dom.vm!)!;
        opsOf(w).kvm_stage2_share.flush_iotlb(w, dom);
        w.domains.delete(dom.id);
        // the record goes; the pins it held do not.
        vm.shared = undefined;
      },
    },
  },
});
