/**
 * kvm-domain-lent(F): an s390 kvm-shadow guest whose VMM also tries userspace MAP_DMA and
 * UNMAP_DMA on the container KVM shadows into, interleaved with the guest's RPCIT and with the
 * IOAT deregistered and registered again. F = 0: the v4 design's KVM-owned domain
 * (VFIO_KVM_IOMMU); F = 1: a type1 container whose paging domain is lent to KVM while the IOAT
 * is registered (run under kvm-domain-lent-flag). The domain must change only through KVM while
 * KVM owns it (the v4 review: a KVM domain that shares ops with type1's userspace interface).
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { dataGpa, FH, FIB_GPA, HVA, iova, pteWrite, regIoat, s390GuestSetup } from './s390-guest.js';

export const kvmDomainLent: Scenario<undefined> = {
  name: 'kvm-domain-lent',
  description: 'userspace MAP/UNMAP_DMA against a KVM-owned domain, interleaved with RPCIT',
  design: 'kvm-owned-domain',
  params: { F: { default: 0, min: 0, max: 1, help: '0: a KVM-owned domain (VFIO_KVM_IOMMU); 1: a type1 domain lent to KVM while the IOAT is registered' } },
  setup(p, apply) {
    s390GuestSetup(apply, 'kvm-shadow', 2, 'open', p.F === 1 ? 3 : 11);
    apply(ev('guest.mem.write', { vm: 'vm0', gpa: dataGpa(1), data: Uint8Array.of(1) }));
    return undefined;
  },
  choices(_w, p): ModelEvent[] {
    return [
      // the flag design: the IOAT going and coming back returns the domain and lends it again.
      ...(p.F === 1 ? [ev('guest.s390.mpcifc', { vm: 'vm0', fh: FH, fc: 'dereg_ioat', fib: FIB_GPA }), regIoat()] : []),
      ev('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA + dataGpa(1), iova: iova(1), size: 0x1000n }),
      ev('vmm.vfio.dma.unmap', { container: 'c0', iova: iova(1), size: 0x1000n }),
      pteWrite(0, dataGpa(0)),
      ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(0), len: 0x2000n }),
      ev('device.dma.read', { device: 'zpci0', iova: iova(1), len: 1 }),
    ];
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'kvm-domain-exclusive', 'kvm-pin-accounting'],
  covers: [
    { name: 'userspace-map-refused', description: 'userspace MAP_DMA on the KVM domain was refused', hit: (_v, s) => s.event.type === 'vmm.vfio.dma.map' && s.outcome.code === 'EINVAL' },
    { name: 'shadowed', description: 'KVM shadowed a guest entry', hit: (v) => [...v.w.zpci.values()].some((f) => f.shadow.size > 0) },
    { name: 'returned', applies: (p) => p.F === 1, description: 'the lent domain went back to userspace with the IOAT, and userspace mapped it', hit: (v) => [...v.w.domains.values()].some((d) => d.owner === 'userspace') && [...v.w.containers.values()].some((c) => (c.iommu?.dmas.length ?? 0) > 0) },
  ],
  expect: { verdict: 'pass' },
};
