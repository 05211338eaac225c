/**
 * zpci-teardown(A): an s390 kvm-shadow guest with one page shadowed and pinned, then the VMM closes
 * its fds in every order: device, group, container, KVM-VFIO device (or FILE_DEL) and VM. A = 0
 * associates kvm at open (final design), A = 1 through the v3 SET_KVM notifier. Checks that nothing
 * keeps pins, charges or kvm references once everything is closed.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { dataGpa, FH, iova, pteWrite, s390GuestSetup } from './s390-guest.js';

export const zpciTeardown: Scenario<undefined> = {
  name: 'zpci-teardown',
  description: 's390 kvm-shadow guest with a pinned page: every order of closing the VMM fds',
  design: 's390-kvm-shadow',
  params: { A: { default: 0, min: 0, max: 1, help: 'kvm association: 0 capture at open, 1 the v3 notifier' } },
  setup(p, apply) {
    s390GuestSetup(apply, 'kvm-shadow', 2, p.A ? 'notifier' : 'open');
    apply(pteWrite(0, dataGpa(0)));
    apply(ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(0), len: 0x2000n }));
    return undefined;
  },
  choices(): ModelEvent[] {
    return [
      ev('vmm.vfio.device.close', { fd: 'zf' }),
      ev('vmm.vfio.group.close', { group: 'g1' }),
      ev('vmm.vfio.container.close', { container: 'c0' }),
      ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'g1' }),
      ev('vmm.kvm.device.close', { dev: 'kv' }),
      ev('vmm.kvm.close_vm', { vm: 'vm0' }),
      ev('device.dma.read', { device: 'zpci0', iova: iova(0), len: 1 }),
    ];
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'teardown-complete', 'kvm-domain-exclusive', 'no-dangling-kvm', 'kvm-pin-accounting'],
  covers: [
    { name: 'vm-destroyed', description: 'the VM was destroyed', hit: (v) => v.w.vms.get('vm0')?.lc === 'destroyed' },
    { name: 'all-closed', description: 'every fd closed and the container released', hit: (v) => v.w.containers.get('c0')?.lc === 'released' && v.w.vms.get('vm0')?.lc === 'destroyed' },
  ],
  expect: { verdict: 'pass' },
};
