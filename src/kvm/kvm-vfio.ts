/**
 * The KVM-VFIO pseudo device (virt/kvm/vfio.c), kernel-facts §4.4: one per VM, FILE_ADD/FILE_DEL
 * of group files (which sets group->kvm), and teardown on release of its fd (v6.2+).
 */
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { KvmVfioDev, World } from '../model/world.js';
import { putGroupFile } from '../vfio/group.js';
import { vmGet, vmPut } from './vm.js';
import { groupSetKvm } from '../s390/kvm-register.js';
import { releaseGroupBindings } from '../spapr/binding.js';
import { stopSharing } from './stage2/shared.js';

const KV = TABLES['kvm-vfio-device'];
const VM = TABLES['kvm-vm'];

export function createDevice(w: World, e: EventOf<'vmm.kvm.create_device'>): Outcome {
  const vm = w.vms.get(e.vm);
  if (!vm) return refused('EBADF');
  const st = VM.step(vm.lc, 'VM_IOCTL');
  if (st.code) return refused(st.code);
  if (vm.kvmVfioDev !== undefined) return refused('EBUSY');
  if (w.kvmdevs.has(e.dev)) return refused('EEXIST');
  w.kvmdevs.set(e.dev, { id: e.dev, vm: vm.id, lc: KV.initial, files: [] });
  vm.kvmVfioDev = e.dev;
  vmGet(w, vm.id);
  return OK;
}

function activeDev(w: World, id: string, event: string): KvmVfioDev | Outcome {
  const d = w.kvmdevs.get(id);
  if (!d) return refused('EBADF');
  const st = KV.step(d.lc, event);
  if (st.code) return refused(st.code);
  return d;
}

export function fileAdd(w: World, e: EventOf<'vmm.kvm.vfio.file_add'>): Outcome {
  const d = activeDev(w, e.dev, 'FILE_ADD');
  if ('code' in d) return d;
  const g = w.groups.get(e.group);
  // the group fd must be open to be passed in.
  if (!g || g.lc === 'closed' || g.lc === 'orphaned') return refused('EBADF');
  if (d.files.includes(g.id)) return refused('EEXIST');
  d.files.push(g.id);
  g.kvmFileRefs++;
  g.kvm = d.vm;
  groupSetKvm(w, g, d.vm);
  return OK;
}

/** Removes one group file: kvm cleared on the VFIO side, the file reference dropped. */
function removeFile(w: World, d: KvmVfioDev, groupId: string): void {
  d.files.splice(d.files.indexOf(groupId), 1);
  releaseGroupBindings(w, groupId);
  stopSharing(w, groupId);
  const g = w.groups.get(groupId)!;
  g.kvm = undefined;
  groupSetKvm(w, g, undefined);
  g.kvmFileRefs--;
  putGroupFile(w, g);
}

export function fileDel(w: World, e: EventOf<'vmm.kvm.vfio.file_del'>): Outcome {
  const d = activeDev(w, e.dev, 'FILE_DEL');
  if ('code' in d) return d;
  const g = w.groups.get(e.group);
  if (!g || g.lc === 'closed' || g.lc === 'orphaned') return refused('EBADF');
  if (!d.files.includes(g.id)) return refused('ENOENT');
  removeFile(w, d, g.id);
  return OK;
}

/** kvm_vfio_release: every tracked file is removed, then the device's VM reference is dropped. */
export function deviceRelease(w: World, e: EventOf<'vmm.kvm.device.close'>): Outcome {
  const d = activeDev(w, e.dev, 'CLOSE');
  if ('code' in d) return d;
  for (const g of d.files.slice()) removeFile(w, d, g);
  d.lc = KV.step(d.lc, 'CLOSE').target;
  const vm = w.vms.get(d.vm)!;
  vm.kvmVfioDev = undefined;
  vmPut(w, vm.id);
  return OK;
}
