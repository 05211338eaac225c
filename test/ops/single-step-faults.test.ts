/**
 * One single-step fault planted in every ops table, through the public API alone, each in a few
 * lines, none of them a seeded fault: a reordered or dropped step, an off-by-one, a skipped
 * validation, a truncated range, an accounting leak. Each must change what the model does on some
 * log (diffDesigns finds the shortest such log in a scenario that exercises the table); whether
 * `vkm check` already finds it is recorded beside it, so a change in what the checker finds is seen.
 */
import { describe, expect, it } from 'vitest';
import { diffDesigns, registerDesign, runCheck, scenarioNamed, REFERENCE_OPS, type DesignSpec, type TableName } from '../../src/index.js';

interface Planted {
  /** The ops table the fault is in. */
  readonly table: TableName;
  readonly spec: DesignSpec;
  /** A scenario whose runs exercise the op, and its parameters. */
  readonly scenario: string;
  readonly params?: Record<string, number>;
  /** What `vkm check` says today: the property that finds it, or undefined when the checker misses it. */
  readonly foundBy: string | undefined;
}

const PLANTED: Planted[] = [
  {
    table: 'host',
    scenario: 'rpcit-shadow',
    foundBy: undefined,
    // off by one page: setrlimit rounds the limit up.
    spec: { name: 'ss-rlimit-off-by-one', base: 's390-kvm-shadow', description: 'RLIMIT_MEMLOCK one page higher than set', ops: { host: { rlimit_set: (base) => (w, e) => base(w, { ...e, memlock: e.memlock + 0x1000n }) } } },
  },
  {
    table: 'mm',
    scenario: 'type1-unmap',
    foundBy: 'no-iova-to-unpinned-page',
    // off-by-one comparison: a page counts as pinned only with two pins.
    spec: { name: 'ss-pinned-needs-two', description: 'folio_maybe_dma_pinned misses a single pin', ops: { mm: { page_pinned: () => (w, pfn) => (w.pins.get(pfn) ?? 0) > 1 } } },
  },
  {
    table: 'vfio',
    scenario: 'zpci-teardown',
    // every file closed, the group file still alive.
    foundBy: 'teardown-complete',
    // dropped step: the last fput of a group file held by KVM never releases it.
    spec: { name: 'ss-group-put-noop', base: 's390-kvm-shadow', description: 'fput of the group file does nothing', ops: { vfio: { group_put_file: () => () => undefined } } },
  },
  {
    table: 'vfio_iommu_type1',
    scenario: 'type1-unmap',
    foundBy: 'locked-vm-accounting',
    // accounting leak: vfio_lock_acct never gives pages back.
    spec: { name: 'ss-lock-acct-leak', description: 'type1 never uncharges locked_vm', ops: { vfio_iommu_type1: { lock_acct: (base) => (w, mm, n) => (n > 0 ? base(w, mm, n) : undefined) } } },
  },
  {
    table: 'iommu',
    scenario: 'type1-unmap',
    foundBy: 'no-iova-to-unpinned-page',
    // truncated range: unmap_pages stops one page short.
    spec: { name: 'ss-unmap-short', description: 'unmap_pages clears one page fewer than asked', ops: { iommu: { unmap_pages: (base) => (w, dom, iova, pages) => base(w, dom, iova, pages - 1) } } },
  },
  {
    table: 'vfio_iommu_spapr_tce',
    scenario: 'liobn-binding',
    foundBy: undefined,
    // truncated range: clearing hardware entries stops one entry short.
    spec: { name: 'ss-tce-clear-short', base: 'liobn-to-container', description: 'clearing TCEs leaves the last entry', ops: { vfio_iommu_spapr_tce: { clear_entries: (base) => (w, s, win, first, count) => base(w, s, win, first, count - 1n) } } },
  },
  {
    table: 'kvm_spapr_tce',
    scenario: 'liobn-binding',
    foundBy: undefined,
    // off by one: H_PUT_TCE_INDIRECT reads its list from the second entry on.
    spec: { name: 'ss-tce-list-off-by-one', base: 'liobn-to-container', description: 'the TCE list is read one entry late', ops: { kvm_spapr_tce: { h_put_tce_indirect: (base) => (w, e) => base(w, { ...e, tceList: e.tceList + 8n }) } } },
  },
  {
    table: 'kvm',
    scenario: 'zpci-teardown',
    foundBy: 'no-dangling-kvm',
    // dropped step: kvm_get_kvm takes no reference.
    spec: { name: 'ss-get-kvm-noop', base: 's390-kvm-shadow', description: 'kvm_get_kvm does not count', ops: { kvm: { get_kvm: () => () => undefined } } },
  },
  {
    table: 'kvm_mmu',
    scenario: 'stage2-shared',
    params: { S: 0 },
    foundBy: 'iotlb-coherence',
    // dropped step: KVM's mmu notifier handler does nothing.
    spec: { name: 'ss-kvm-notifier-noop', base: 'stage2-shared', description: "KVM's mmu notifier keeps stage-2 leaves of moved pages", ops: { kvm_mmu: { invalidate_range_start: () => () => undefined } } },
  },
  {
    table: 'kvm_stage2_share',
    scenario: 'stage2-shared',
    params: { S: 1 },
    foundBy: 'shared-stage2-populated',
    // dropped step: a memslot added to a shared VM is neither pinned nor mapped.
    spec: { name: 'ss-new-slot-unshared', base: 'stage2-shared', description: 'a new memslot of a shared VM is left out of the shared table', ops: { kvm_stage2_share: { slot_added: () => () => undefined } } },
  },
  {
    table: 'kvm_vfio',
    scenario: 'zpci-teardown',
    foundBy: undefined,
    // skipped validation: FILE_DEL of a group that was never added.
    spec: {
      name: 'ss-file-del-unchecked', base: 's390-kvm-shadow', description: 'KVM-VFIO FILE_DEL succeeds for a group it does not hold',
      ops: { kvm_vfio: { file_del: (base) => (w, e) => (w.kvmdevs.get(e.dev)?.files.includes(e.group) === false ? { code: 'OK' } : base(w, e)) } },
    },
  },
  {
    table: 'kvm_association_open',
    scenario: 'zpci-teardown',
    // every file closed, the VM still alive: found since zpci-teardown closes everything (and,
    // reopening, would otherwise count the leaked references up without end).
    foundBy: 'teardown-complete',
    // dropped step: the device's kvm reference is never put.
    spec: { name: 'ss-close-keeps-kvm', base: 's390-kvm-shadow', description: 'vfio_device_put_kvm skipped at close', ops: { kvm_association_open: { close_device: () => () => undefined } } },
  },
  {
    table: 'kvm_association_notifier',
    scenario: 'zpci-teardown',
    params: { A: 1 },
    // the kvm-shadow plug needs the registration the replay would have made.
    foundBy: 'scenario-setup',
    // dropped step: registering the notifier does not replay the group's current kvm.
    spec: { name: 'ss-notifier-no-replay', base: 'kvm-association-notifier', description: 'SET_KVM is not replayed at open', ops: { kvm_association_notifier: { open_device: () => () => undefined } } },
  },
  {
    table: 'kvm_s390_pci',
    scenario: 'zpci-teardown',
    foundBy: 'no-dangling-kvm',
    // dropped step: unregistration keeps the kvm_zdev pointer.
    spec: { name: 'ss-unregister-keeps-kzdev', base: 's390-kvm-shadow', description: 'kvm_s390_pci_unregister_kvm leaves kzdev set', ops: { kvm_s390_pci: { unregister_kvm: (base) => (w, dev) => { const kz = dev.kzdev; base(w, dev); dev.kzdev = kz; } } } },
  },
  {
    table: 'zpci',
    scenario: 'rpcit-shadow',
    foundBy: 'translation-coherence',
    // off by one: RPCIT refreshes one page less than the guest asked for.
    spec: { name: 'ss-rpcit-short', base: 's390-kvm-shadow', description: 'RPCIT drops the last page of its range', ops: { zpci: { rpcit: (base) => (w, e) => base(w, { ...e, len: e.len - 0x1000n }) } } },
  },
  {
    table: 'zpci_userspace',
    // rpcit-ranges invalidates cached entries; rpcit-userspace never did.
    scenario: 'rpcit-ranges',
    params: { U: 1 },
    foundBy: 'translation-coherence',
    // dropped step: an invalidated guest entry stays in QEMU's cache and in VFIO.
    spec: {
      name: 'ss-qemu-keeps-invalidated', base: 's390-userspace', description: 'QEMU ignores invalidations of cached entries',
      ops: { zpci_userspace: { update_iotlb: (base) => (w, vm, f, iova, gpa, write) => (gpa === undefined ? w.qemuDmaLimits.get(f.container)! : base(w, vm, f, iova, gpa, write)) } },
    },
  },
  {
    table: 'zpci_kvm_shadow',
    scenario: 'rpcit-shadow',
    foundBy: undefined,
    // dropped step: guest table pages are never pinned.
    spec: { name: 'ss-no-table-pins', base: 's390-kvm-shadow', description: 'KVM walks guest tables without pinning them', ops: { zpci_kvm_shadow: { pin_table_page: () => () => undefined } } },
  },
  {
    table: 'sva',
    scenario: 'sva-pri',
    foundBy: 'iotlb-coherence',
    // off by one: a page request faults in the next page.
    spec: { name: 'ss-prq-next-page', base: 'sva-pri', description: 'page requests resolve the following page', ops: { sva: { page_request: (base) => (w, dev, mm, page) => base(w, dev, mm, page + 1) } } },
  },
  {
    table: 'device',
    scenario: 'type1-unmap',
    foundBy: undefined,
    // off by one: the device addresses the page after the one it was given.
    spec: { name: 'ss-dma-next-page', description: 'device DMA lands one page further on', ops: { device: { dma: (base) => (w, d, iova, len, data) => base(w, d, iova + 0x1000n, len, data) } } },
  },
];

describe('single-step faults planted through the public API', () => {
  it('should plant one in every ops table, none longer than 15 lines', () => {
    expect(new Set(PLANTED.map((x) => x.table))).toEqual(new Set(Object.keys(REFERENCE_OPS)));
    for (const x of PLANTED) {
      const lines = Object.values(x.spec.ops ?? {}).flatMap((t) => Object.values(t ?? {})).reduce((n, make) => n + String(make).split('\n').length, 0);
      expect(lines, x.spec.name).toBeLessThanOrEqual(15);
    }
  });

  describe.each(PLANTED.map((x) => [x.spec.name, x] as const))('%s', (_name, x) => {
    const design = registerDesign(x.spec);
    const s = scenarioNamed(x.scenario)!;

    it(`should change what the model does on a log of ${x.scenario}`, () => {
      const r = diffDesigns({ scenario: x.scenario, params: x.params, base: x.spec.base ?? s.design, variant: design.name }, { maxStates: 5000 });
      expect(r.difference, `${design.name} behaves as its base on every log within ${r.states} states`).toBeDefined();
    });

    it(`should be ${x.foundBy ? `found by ${x.foundBy}` : 'missed'} by vkm check today`, () => {
      // a fault may make the state space infinite (a leaked count grows with every cycle): a bound
      // keeps the test finite, and an incomplete run fails rather than passing as 'missed'.
      const r = runCheck({ scenario: x.scenario, params: x.params ?? {}, variant: design.name }, { maxStates: 200_000 });
      expect(r.verdict).not.toBe('incomplete');
      const found = r.verdict === 'violation' ? r.result.violations.map((v) => v.property) : [];
      if (x.foundBy) expect(found).toContain(x.foundBy);
      else expect(r.verdict).toBe('pass');
    });
  });
});

