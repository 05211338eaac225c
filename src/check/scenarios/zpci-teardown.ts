/**
 * zpci-teardown(A): an s390 kvm-shadow guest with one page shadowed and pinned, then the VMM closes
 * its fds in every order: device, group (or only its container), container, KVM-VFIO device (or
 * FILE_DEL) and VM, the VM possibly while devices are still attached; it may open the device and
 * the group again, and register or deregister adapter-event notification, while the device reads
 * and writes and the guest reads. A = 0 associates kvm at open (final design), A = 1 through the
 * v3 SET_KVM notifier; U = 1 runs the userspace RPCIT design, whose pins are type1's. Checks that
 * nothing keeps pins, charges or kvm references once everything is closed.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { dataGpa, FH, iova, pteWrite, s390GuestSetup } from './s390-guest.js';
import { everythingClosed } from '../../../properties/teardown-complete.js';

/** Guest pages of the AEN interrupt bit vector and summary bit (outside the tables and data). */
const AEN_IBV = 0x30_0000n;
const AEN_SB = 0x30_1000n;

export const zpciTeardown: Scenario<undefined> = {
  name: 'zpci-teardown',
  description: 's390 kvm-shadow guest with a pinned page: every order of closing the VMM fds',
  design: 's390-kvm-shadow',
  params: {
    A: { default: 0, min: 0, max: 1, help: 'kvm association: 0 capture at open, 1 the v3 notifier' },
    U: { default: 0, min: 0, max: 1, help: 'RPCIT design: 0 kvm-shadow, 1 userspace (QEMU maps through type1)' },
  },
  setup(p, apply) {
    s390GuestSetup(apply, p.U ? 'userspace' : 'kvm-shadow', 2, p.A ? 'notifier' : 'open');
    apply(pteWrite(0, dataGpa(0)));
    apply(ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(0), len: 0x2000n }));
    return undefined;
  },
  choices(): ModelEvent[] {
    return [
      ev('vmm.vfio.device.close', { fd: 'zf' }),
      ev('vmm.vfio.group.unset_container', { group: 'g1' }),
      ev('vmm.vfio.group.close', { group: 'g1' }),
      ev('vmm.vfio.container.close', { container: 'c0' }),
      ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'g1' }),
      ev('vmm.kvm.device.close', { dev: 'kv' }),
      ev('vmm.kvm.close_vm', { vm: 'vm0' }),
      // the VMM opens the device and the group again (QEMU's hot-unplug and replug).
      ev('vmm.vfio.group.get_device_fd', { group: 'g1', device: 'zpci0', fd: 'zf' }),
      ev('vmm.vfio.group.open', { group: 'g1', mm: 'qemu' }),
      ev('vmm.vfio.group.set_container', { group: 'g1', container: 'c0' }),
      // adapter-event notification: KVM pins the guest's interrupt vector and summary pages.
      ev('vmm.kvm.s390.zpci_op', { vm: 'vm0', fh: FH, op: 'reg_aen', ibv: AEN_IBV, sb: AEN_SB, noi: 64 }),
      ev('vmm.kvm.s390.zpci_op', { vm: 'vm0', fh: FH, op: 'dereg_aen' }),
      ev('device.dma.read', { device: 'zpci0', iova: iova(0), len: 1 }),
      ev('device.dma.write', { device: 'zpci0', iova: iova(0), data: Uint8Array.of(0x5a) }),
      ev('guest.mem.read', { vm: 'vm0', gpa: dataGpa(0), len: 1 }),
    ];
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'isolation', 'teardown-complete', 'kvm-domain-exclusive', 'no-dangling-kvm', 'kvm-pin-accounting', 'dma-avail-accounting'],
  covers: [
    { name: 'vm-destroyed', description: 'the VM was destroyed', hit: (v) => v.w.vms.get('vm0')?.lc === 'destroyed' },
    { name: 'all-closed', description: 'every fd closed and the container released', hit: (v) => everythingClosed(v.w) },
    { name: 'reopened', description: 'the device was opened again after a close', hit: (_v, s) => s.event.type === 'vmm.vfio.group.get_device_fd' && s.outcome.code === 'OK' },
    { name: 'aen-registered', description: 'adapter-event notification pinned its pages', hit: (v) => (v.w.zpci.get('zpci0')?.aen?.pins.length ?? 0) > 0 },
    { name: 'vm-gone-first', description: 'the VM was destroyed with the device still open', hit: (v) => v.w.vms.get('vm0')?.lc === 'destroyed' && v.w.devices.get('zpci0')?.lc === 'open' },
  ],
  expect: { verdict: 'pass' },
};
