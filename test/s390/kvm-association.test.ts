/** How a zPCI device learns its kvm: capture at open (final design) and the v3 group notifier; AEN pins. */
import { describe, expect, it } from 'vitest';
import { checkProperties, propertyNamed } from '../../properties/index.js';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { FH, HVA, s390Events, s390World } from './fixture.js';

const run = (w: World, e: ModelEvent) => applyEvent(w, e).code;

function bootWith(kvmAssociation: 'open' | 'notifier', order: 'add-then-open' | 'open-then-add'): World {
  const w = emptyWorld();
  const setup = s390Events('userspace').slice(0, 13).filter((e) => e.type !== 'host.boot');
  const fileAdd = setup.find((e) => e.type === 'vmm.kvm.vfio.file_add')!;
  const open = setup.find((e) => e.type === 'vmm.vfio.group.get_device_fd')!;
  const rest = setup.filter((e) => e !== fileAdd && e !== open);
  for (const e of [ev('host.boot', { arch: 's390', kvmAssociation }), ...rest, ...(order === 'add-then-open' ? [fileAdd, open] : [open, fileAdd])]) {
    expect(run(w, e), e.type).toBe('OK');
  }
  return w;
}

describe('final design: kvm captured at first open', () => {
  it('should register the zdev with a kvm reference and a GISA, and release both at close_device', () => {
    const w = bootWith('open', 'add-then-open');
    const dev = w.devices.get('zpci0')!;
    expect(dev.kzdev).toEqual({ kvm: 'vm0', counted: true });
    expect(dev.gisa).toBeGreaterThan(0);
    expect(run(w, ev('vmm.kvm.close_vm', { vm: 'vm0' }))).toBe('OK');
    expect(w.vms.get('vm0')!.lc).toBe('closing');
    expect(run(w, ev('vmm.kvm.device.close', { dev: 'kv' }))).toBe('OK');
    expect(w.vms.get('vm0')!.lc).toBe('closing');
    expect(run(w, ev('vmm.vfio.device.close', { fd: 'zf' }))).toBe('OK');
    expect(dev.kzdev).toBeUndefined();
    expect(dev.gisa).toBeUndefined();
    expect(w.vms.get('vm0')!.lc).toBe('destroyed');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should not see a kvm added after the device was opened (FILE_ADD must come first)', () => {
    const w = bootWith('open', 'open-then-add');
    expect(w.devices.get('zpci0')!.kzdev).toBeUndefined();
    expect(run(w, ev('vmm.s390.zpci.plug', { vm: 'vm0', device: 'zpci0', fh: 1, design: 'userspace' }))).toBe('OK');
  });
});

describe('v3 design: VFIO_GROUP_NOTIFY_SET_KVM', () => {
  it('should replay the current kvm at open, and clear it on NULL at FILE_DEL', () => {
    const w = bootWith('notifier', 'add-then-open');
    const dev = w.devices.get('zpci0')!;
    expect(dev.kzdev).toEqual({ kvm: 'vm0', counted: false });
    expect(run(w, ev('vmm.kvm.vfio.file_del', { dev: 'kv', group: 'g1' }))).toBe('OK');
    expect(dev.kzdev).toBeUndefined();
  });

  it('should hear a FILE_ADD that comes after open, and NULL at KVM-VFIO release, so a destroyed VM is never referenced', () => {
    const w = bootWith('notifier', 'open-then-add');
    expect(w.devices.get('zpci0')!.kzdev).toEqual({ kvm: 'vm0', counted: false });
    for (const e of [ev('vmm.kvm.close_vm', { vm: 'vm0' }), ev('vmm.kvm.device.close', { dev: 'kv' })]) expect(run(w, e)).toBe('OK');
    expect(w.vms.get('vm0')!.lc).toBe('destroyed');
    expect(checkProperties(w, [propertyNamed('no-dangling-kvm')!])).toEqual([]);
  });
});

describe('KVM_S390_ZPCI_OP AEN registration', () => {
  const reg = (ibv: bigint, sb = 0n, flags = 0) => ev('vmm.kvm.s390.zpci_op', { vm: 'vm0', fh: FH, op: 'reg_aen', ibv, sb, flags });
  const dereg = ev('vmm.kvm.s390.zpci_op', { vm: 'vm0', fh: FH, op: 'dereg_aen' });

  it('should pin and charge the bit-vector and summary pages, and release them on DEREG_AEN', () => {
    const w = s390World('userspace');
    const mm = w.mms.get('qemu')!;
    const before = mm.lockedVm;
    expect(run(w, reg(0x300000n, 0x301000n))).toBe('OK');
    expect(mm.lockedVm).toBe(before + 2);
    expect(checkProperties(w)).toEqual([]);
    expect(run(w, reg(0x300000n))).toBe('EINVAL');
    expect(run(w, dereg)).toBe('OK');
    expect(mm.lockedVm).toBe(before);
    expect(run(w, dereg)).toBe('EINVAL');
    expect(checkProperties(w)).toEqual([]);
  });

  it('should refuse unknown flags, unknown handles, and an address outside guest memory', () => {
    const w = s390World('userspace');
    expect(run(w, reg(0x300000n, 0n, 2))).toBe('EINVAL');
    expect(run(w, ev('vmm.kvm.s390.zpci_op', { vm: 'vm0', fh: 0x80000009, op: 'reg_aen', ibv: 0x300000n }))).toBe('ENODEV');
    expect(run(w, reg(0x4000_0000n))).toBe('EIO');
  });

  it('should report success but register nothing when the charge would pass the limit (rc left at 0)', () => {
    const w = s390World('userspace');
    run(w, ev('host.rlimit.set', { mm: 'qemu', memlock: BigInt(w.mms.get('qemu')!.lockedVm) * 4096n }));
    expect(run(w, reg(0x300000n))).toBe('OK');
    expect(w.zpci.get('zpci0')!.aen).toBeUndefined();
    expect(checkProperties(w)).toEqual([]);
  });

  it('should release AEN pins when the device is closed', () => {
    const w = s390World('userspace');
    run(w, reg(0x300000n));
    expect(run(w, ev('vmm.vfio.device.close', { fd: 'zf' }))).toBe('OK');
    expect(w.mms.get('qemu')!.lockedVm).toBe(0);
    expect([...w.pins.values()].filter((n) => n !== 0)).toEqual([]);
    void HVA;
  });
});
