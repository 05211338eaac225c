/**
 * How a zPCI device learns its kvm, in both models of kernel-facts §3, and KVM's side of the
 * association (kvm_s390_pci_register_kvm / unregister_kvm):
 * - final (6.0+, `kvm_association_open`): vfio core captures the group's kvm at the device's first
 *   open, with a reference; vfio_pci_zdev_open_device registers it, which takes another reference
 *   and sets the GISA; close_device unregisters.
 * - v1–v3 (`kvm_association_notifier`): at open the device registers a VFIO_GROUP_NOTIFY_SET_KVM
 *   notifier, which replays the group's current kvm; FILE_ADD / FILE_DEL fire it with kvm or NULL.
 *   The notifier keeps a pointer, not a reference; NULL must clear it.
 * Only s390 zdevs register with KVM; elsewhere the association is vfio core's capture alone.
 */
import { allocFrame } from '../memory/frames.js';
import type { World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { zpciDesignOps } from '../ops/select.js';
import type { KvmAssociationOps, KvmS390PciOps } from '../ops/types.js';
import { kvmPinsOf } from '../kvm/pins.js';
import { gisaOwner } from '../memory/owners.js';

/** The GISA designation of a VM (a host frame KVM allocates for it on first use). */
function gisaOf(w: World, vmId: string): number {
  const owner = gisaOwner(vmId);
  for (const [pfn, o] of w.frames.owner) if (o === owner) return pfn * 4096;
  return allocFrame(w.frames, owner) * 4096;
}

export const KVM_S390_REGISTER_OPS: Pick<KvmS390PciOps, 'register_kvm' | 'unregister_kvm'> = {
  register_kvm(w, dev, kvm, counted) {
    if (dev.kzdev || dev.gisa) return 'EINVAL';
    if (counted) opsOf(w).kvm.get_kvm(w, kvm);
    dev.kzdev = { kvm, counted };
    dev.gisa = gisaOf(w, kvm);
    return undefined;
  },

  unregister_kvm(w, dev) {
    const kz = dev.kzdev;
    if (!kz) return;
    const ops = opsOf(w);
    const f = w.zpci.get(dev.id);
    const vm = w.vms.get(kz.kvm);
    if (f && vm) {
      // AIF is forced off first; the KVM shadow goes with the kvm association.
      if (f.aen) {
        const held = kvmPinsOf(w, vm);
        for (const p of f.aen.pins) ops.kvm.unpin_guest_page(w, vm, p.pfn, held);
        f.aen = undefined;
      }
      zpciDesignOps(w, f).kvm_released(w, vm, f);
    }
    dev.kzdev = undefined;
    dev.gisa = undefined;
    if (kz.counted) ops.kvm.put_kvm(w, kz.kvm);
  },
};

export const KVM_ASSOCIATION_OPEN: KvmAssociationOps = {
  open_device(w, dev, g) {
    if (!g.kvm) return undefined;
    const ops = opsOf(w);
    // vfio_device_group_get_kvm_safe: the kvm of the group is captured, with a reference, at first open.
    dev.kvm = g.kvm;
    ops.kvm.get_kvm(w, g.kvm);
    const code = w.arch === 's390' ? ops.kvm_s390_pci.register_kvm(w, dev, dev.kvm, true) : undefined;
    if (code) {
      ops.kvm.put_kvm(w, dev.kvm);
      dev.kvm = undefined;
    }
    return code;
  },

  close_device(w, dev) {
    if (!dev.kvm) return;
    const kvm = dev.kvm;
    dev.kvm = undefined;
    opsOf(w).kvm.put_kvm(w, kvm);
  },

  // no notifier exists: a device learns kvm only at its first open.
  group_set_kvm: () => undefined,
};

export const KVM_ASSOCIATION_NOTIFIER: KvmAssociationOps = {
  open_device(w, dev, g) {
    // the notifier's registration replays the group's current kvm.
    if (w.arch === 's390' && g.kvm) opsOf(w).kvm_s390_pci.register_kvm(w, dev, g.kvm, false);
    return undefined;
  },

  // the zdev's close unregisters (zpci.close_device); vfio core holds no kvm here.
  close_device: () => undefined,

  group_set_kvm(w, g, kvm) {
    if (w.arch !== 's390') return;
    const ops = opsOf(w);
    for (const id of g.devices) {
      const dev = w.devices.get(id)!;
      if (dev.openCount === 0) continue;
      if (kvm !== undefined) {
        if (!dev.kzdev) ops.kvm_s390_pci.register_kvm(w, dev, kvm, false);
      } else ops.kvm_s390_pci.unregister_kvm(w, dev);
    }
  },
};
