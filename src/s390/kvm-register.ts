/**
 * How a zPCI device learns its kvm, in both models of kernel-facts §3:
 * - `open` (final, 6.0+): kvm is captured at the first device open; vfio_pci_zdev_open_device
 *   calls kvm_s390_pci_register_kvm, which takes a kvm reference and sets the GISA; close_device
 *   unregisters (§3.1).
 * - `notifier` (v1–v3): at open the device registers a VFIO_GROUP_NOTIFY_SET_KVM notifier, which
 *   replays the group's current kvm; FILE_ADD / FILE_DEL fire it with kvm or NULL. The notifier
 *   keeps a pointer, not a reference; NULL must clear it.
 * Only s390 zdevs act on this; elsewhere these hooks do nothing.
 */
import { allocFrame } from '../memory/frames.js';
import type { Group, PciDevice, World } from '../model/world.js';
import { vmGet, vmPut } from '../kvm/vm.js';
import { deregisterIoat } from './ioat.js';
import { kvmPinsOf, kvmUnpin } from '../kvm/pins.js';
import { pointsOf } from '../model/variant.js';

/** The GISA designation of a VM (a host frame KVM allocates for it on first use). */
function gisaOf(w: World, vmId: string): number {
  const owner = 'kvm:gisa:' + vmId;
  for (const [pfn, o] of w.frames.owner) if (o === owner) return pfn * 4096;
  return allocFrame(w.frames, owner) * 4096;
}

/** kvm_s390_pci_register_kvm: EINVAL when already registered or a GISA is set; a kvm reference is taken. */
export function registerKvm(w: World, dev: PciDevice, kvm: string, counted: boolean): string | undefined {
  if (dev.kzdev || dev.gisa) return 'EINVAL';
  if (counted) vmGet(w, kvm);
  dev.kzdev = { kvm, counted };
  dev.gisa = gisaOf(w, kvm);
  return undefined;
}

/** kvm_s390_pci_unregister_kvm: shadow state and the GISA go, the kvm reference is dropped. */
export function unregisterKvm(w: World, dev: PciDevice): void {
  const kz = dev.kzdev;
  if (!kz) return;
  const f = w.zpci.get(dev.id);
  const vm = w.vms.get(kz.kvm);
  if (f && vm) {
    // AIF is forced off first; the KVM shadow goes with the kvm association.
    if (f.aen) {
      const held = kvmPinsOf(w, vm);
      for (const p of f.aen.pins) kvmUnpin(w, vm, p.pfn, held);
      f.aen = undefined;
    }
    if (f.ioat && f.design === 'kvm-shadow' && pointsOf(w).zdevCloseUnshadows !== false) deregisterIoat(w, vm, f);
  }
  dev.kzdev = undefined;
  dev.gisa = undefined;
  if (kz.counted) vmPut(w, kz.kvm);
}

/** Called at the device's first open (open_device). */
export function zdevOpen(w: World, dev: PciDevice, group: Group): string | undefined {
  if (w.arch !== 's390') return undefined;
  if (w.kvmAssociation === 'open') return dev.kvm ? registerKvm(w, dev, dev.kvm, true) : undefined;
  // notifier registration replays the group's current kvm.
  if (group.kvm) registerKvm(w, dev, group.kvm, false);
  return undefined;
}

/** Called at the device's last close (close_device): the function is unplugged from the guest too. */
export function zdevClose(w: World, dev: PciDevice): void {
  if (w.arch !== 's390') return;
  const f = w.zpci.get(dev.id);
  const vm = f ? w.vms.get(f.vm) : undefined;
  unregisterKvm(w, dev);
  if (f && f.ioat && vm && pointsOf(w).zdevCloseUnshadows !== false) deregisterIoat(w, vm, f);
  w.zpci.delete(dev.id);
}

/** vfio_group_set_kvm in the notifier model: every open zdev of the group hears SET_KVM. */
export function groupSetKvm(w: World, group: Group, kvm: string | undefined): void {
  if (w.arch !== 's390' || w.kvmAssociation !== 'notifier') return;
  for (const id of group.devices) {
    const dev = w.devices.get(id)!;
    if (dev.openCount === 0) continue;
    if (kvm !== undefined) {
      if (!dev.kzdev) registerKvm(w, dev, kvm, false);
    } else if (pointsOf(w).notifierHonoursNull !== false) unregisterKvm(w, dev);
  }
}
