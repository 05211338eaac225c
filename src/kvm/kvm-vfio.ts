/**
 * The KVM-VFIO pseudo device (virt/kvm/vfio.c), kernel-facts §4.4: one per VM, FILE_ADD/FILE_DEL
 * of group files (which sets group->kvm), the sPAPR and stage2-shared attributes, and teardown on
 * release of its fd (v6.2+).
 */
import { archRefusal } from '../events/arch.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { Group, KvmVfioDev, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { kvmAssociationOps, stepAssociation } from '../ops/select.js';
import type { KvmVfioOps } from '../ops/types.js';

const KV = TABLES['kvm-vfio-device'];
const VM = TABLES['kvm-vm'];

function activeDev(w: World, id: string, event: string): KvmVfioDev | Outcome {
  const d = w.kvmdevs.get(id);
  if (!d) return refused('EBADF');
  const st = KV.step(d.lc, event);
  if (st.code) return refused(st.code);
  return d;
}

/** The group of a file attribute: its fd must be open (EBADF) and added to this device (ENOENT). */
function addedGroup(w: World, d: KvmVfioDev, id: string): Group | Outcome {
  const g = w.groups.get(id);
  if (!g || g.lc === 'closed' || g.lc === 'orphaned') return refused('EBADF');
  if (!d.files.includes(g.id)) return refused('ENOENT');
  return g;
}

export const KVM_VFIO_OPS: KvmVfioOps = {
  create(w, e) {
    const vm = w.vms.get(e.vm);
    if (!vm) return refused('EBADF');
    const st = VM.step(vm.lc, 'VM_IOCTL');
    if (st.code) return refused(st.code);
    if (vm.kvmVfioDev !== undefined) return refused('EBUSY');
    if (w.kvmdevs.has(e.dev)) return refused('ID_IN_USE');
    w.kvmdevs.set(e.dev, { id: e.dev, vm: vm.id, lc: KV.initial, files: [] });
    vm.kvmVfioDev = e.dev;
    opsOf(w).kvm.get_kvm(w, vm.id);
    return OK;
  },

  file_add(w, e) {
    const d = activeDev(w, e.dev, 'FILE_ADD');
    if ('code' in d) return d;
    const g = w.groups.get(e.group);
    // the group fd must be open to be passed in.
    if (!g || g.lc === 'closed' || g.lc === 'orphaned') return refused('EBADF');
    if (d.files.includes(g.id)) return refused('EEXIST');
    d.files.push(g.id);
    g.kvmFileRefs++;
    g.kvm = d.vm;
    kvmAssociationOps(w).group_set_kvm(w, g, d.vm);
    openDevicesHear(w, g, 'SET_KVM');
    return OK;
  },

  file_del(w, e) {
    const d = activeDev(w, e.dev, 'FILE_DEL');
    if ('code' in d) return d;
    const g = addedGroup(w, d, e.group);
    if ('code' in g) return g;
    opsOf(w).kvm_vfio.remove_file(w, d, g.id);
    return OK;
  },

  set_spapr_tce(w, e) {
    const d = activeDev(w, e.dev, 'SET_SPAPR_TCE');
    if ('code' in d) return d;
    // the attribute exists only under CONFIG_SPAPR_TCE_IOMMU: elsewhere kvm_vfio_set_file's switch falls out with -ENXIO.
    const elsewhere = archRefusal(w.arch, 'vmm.kvm.vfio.set_spapr_tce');
    if (elsewhere) return refused(elsewhere);
    const g = addedGroup(w, d, e.group);
    if ('code' in g) return g;
    const t = w.tceTables.get(e.table);
    if (!t) return refused('EBADF');
    return opsOf(w).kvm_spapr_tce.attach_group(w, d, g, t);
  },

  share_stage2(w, e) {
    const d = activeDev(w, e.dev, 'SHARE_STAGE2');
    if ('code' in d) return d;
    const g = addedGroup(w, d, e.group);
    if ('code' in g) return g;
    return opsOf(w).kvm_stage2_share.share(w, d, g);
  },

  release(w, e) {
    const d = activeDev(w, e.dev, 'CLOSE');
    if ('code' in d) return d;
    const ops = opsOf(w);
    for (const g of d.files.slice()) ops.kvm_vfio.remove_file(w, d, g);
    d.lc = KV.step(d.lc, 'CLOSE').target;
    const vm = w.vms.get(d.vm)!;
    vm.kvmVfioDev = undefined;
    ops.kvm.put_kvm(w, vm.id);
    return OK;
  },

  remove_file(w, d, groupId) {
    const ops = opsOf(w);
    d.files.splice(d.files.indexOf(groupId), 1);
    ops.kvm_spapr_tce.release_group(w, groupId);
    ops.kvm_stage2_share.stop_sharing(w, groupId);
    const g = w.groups.get(groupId)!;
    g.kvm = undefined;
    kvmAssociationOps(w).group_set_kvm(w, g, undefined);
    openDevicesHear(w, g, 'SET_KVM_NULL');
    g.kvmFileRefs--;
    ops.vfio.group_put_file(w, g);
  },
};

/** Every open device of a group hears SET_KVM (the notifier's call, or nothing in the final design). */
function openDevicesHear(w: World, g: Group, event: 'SET_KVM' | 'SET_KVM_NULL'): void {
  for (const id of g.devices) {
    const dev = w.devices.get(id)!;
    if (dev.openCount > 0) stepAssociation(w, dev, event);
  }
}
