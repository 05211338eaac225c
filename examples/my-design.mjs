// A user module for `vkm ... --load examples/my-design.mjs`: one design, one property and one
// scenario, registered through the public API. The README's "Your own design" walks through it.
import { ev, opsOf, registerDesign, registerProperty, registerScenario } from 'vfio-kvm-model';

// The design under review: type1 moves vfio_dma teardown into a new helper, which removes the
// translations, unpins and unlinks the entry, but the `dma_avail++` line was lost on the way.
registerDesign({
  name: 'type1-split-remove',
  description: 'type1 vfio_remove_dma rewritten as unmap_unpin + unlink; dma_avail is not given back',
  ops: {
    vfio_iommu_type1: {
      remove_dma: () => (w, t1, dma) => {
        opsOf(w).vfio_iommu_type1.unmap_unpin(w, t1, dma);
        t1.dmas.splice(t1.dmas.indexOf(dma), 1);
      },
    },
  },
});

// A property no built-in one states: a successful UNMAP_DMA reports exactly the bytes of the
// vfio_dmas it removed (a transition property: `pre` notes what was mapped before the event).
const mappedBytes = (w) => {
  let n = 0n;
  for (const c of w.containers.values()) for (const d of c.iommu?.dmas ?? []) n += BigInt(d.pages) * 4096n;
  return n;
};
registerProperty({
  name: 'unmap-reports-bytes',
  kind: 'transition',
  description: 'UNMAP_DMA returns the size of the vfio_dmas it removed',
  pre: (view) => mappedBytes(view.w),
  check(view, step) {
    if (step.event.type !== 'vmm.vfio.dma.unmap' || step.outcome.code !== 'OK' || step.event.flags !== 0) return [];
    const removed = step.pre - mappedBytes(view.w);
    return step.outcome.value === removed ? [] : [{ property: 'unmap-reports-bytes', message: `UNMAP_DMA reported ${step.outcome.value} bytes but removed ${removed}` }];
  },
});

// A scenario that cycles MAP_DMA and UNMAP_DMA against a small dma_entry_limit, so a leaked
// entry shows up in the budget (the built-in dma-avail-accounting) and, later, as ENOSPC.
const HVA = 0x7f0000000000n;
registerScenario({
  name: 'map-unmap-cycle',
  description: 'type1 MAP_DMA / UNMAP_DMA cycles of single pages under dma_entry_limit=L',
  design: 'type1-split-remove',
  params: { L: { default: 2, min: 1, max: 4, help: 'dma_entry_limit' } },
  setup(p, apply) {
    for (const e of [
      ev('host.boot', { arch: 'x86' }),
      ev('host.vfio.dma_entry_limit', { limit: p.L }),
      ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 30n }),
      ev('host.pci.device.add', { device: 'nic0', group: 'g0' }),
      ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 0x3000n }),
      ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
      ev('vmm.vfio.group.open', { group: 'g0', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g0', container: 'c0' }),
      ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }),
    ]) apply(e);
  },
  choices: () => [0n, 1n, 2n].flatMap((i) => [
    ev('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA + (i << 12n), iova: i << 12n, size: 0x1000n }),
    ev('vmm.vfio.dma.unmap', { container: 'c0', iova: i << 12n, size: 0x1000n }),
  ]),
  properties: ['dma-avail-accounting', 'unmap-reports-bytes', 'locked-vm-accounting', 'no-iova-to-unpinned-page'],
  covers: [
    { name: 'unmapped', description: 'an UNMAP_DMA removed a vfio_dma', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.unmap' && s.outcome.value === 0x1000n },
    { name: 'budget-exhausted', description: 'a MAP_DMA was refused with ENOSPC', hit: (_v, s) => s.outcome.code === 'ENOSPC' },
  ],
  expect: { verdict: 'pass' },
});
