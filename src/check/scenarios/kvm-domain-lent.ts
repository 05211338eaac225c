/**
 * kvm-domain-lent: an s390 kvm-shadow guest whose VMM also tries userspace MAP_DMA and UNMAP_DMA
 * on the KVM-owned container, interleaved with the guest's RPCIT. The KVM domain must change only
 * through KVM (the v4 review: a KVM domain that shares ops with type1's userspace interface).
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { dataGpa, FH, HVA, iova, pteWrite, s390GuestSetup } from './s390-guest.js';

export const kvmDomainLent: Scenario<undefined> = {
  name: 'kvm-domain-lent',
  description: 'userspace MAP/UNMAP_DMA against a KVM-owned domain, interleaved with RPCIT',
  design: 'kvm-owned-domain',
  params: {},
  setup(_p, apply) {
    s390GuestSetup(apply, 'kvm-shadow', 2);
    apply(ev('guest.mem.write', { vm: 'vm0', gpa: dataGpa(1), data: Uint8Array.of(1) }));
    return undefined;
  },
  choices(): ModelEvent[] {
    return [
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
  ],
  expect: { verdict: 'pass' },
};
