/**
 * VFIO group fd ioctls and device fds (6.x group API): open, SET/UNSET_CONTAINER, GET_DEVICE_FD,
 * closes, and the deferred release while device fds or KVM hold the group file.
 */
import { releaseSva } from '../iommu/sva.js';
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { Group, World } from '../model/world.js';
import { vmGet, vmPut } from '../kvm/vm.js';
import { attach, canAttach, detach } from './container.js';
import { zdevClose, zdevOpen } from '../s390/kvm-register.js';

const GROUP = TABLES['vfio-group'];
const DEVICE = TABLES['vfio-device'];

function stepGroup(g: Group, event: string): string | undefined {
  const st = GROUP.step(g.lc, event);
  if (st.code) return st.code;
  g.lc = st.target;
  return undefined;
}

export function groupOpen(w: World, e: EventOf<'vmm.vfio.group.open'>): Outcome {
  const g = w.groups.get(e.group);
  if (!g) return refused('ENOENT');
  if (!w.mms.has(e.mm)) return refused('ESRCH');
  const code = stepGroup(g, 'OPEN');
  if (code) return refused(code);
  g.mm = e.mm;
  return OK;
}

/** The group file's release: leave the container (the last user unsets it). */
function releaseGroupFile(w: World, g: Group): void {
  if (g.container) detach(w, g.id);
  g.mm = undefined;
}

export function groupClose(w: World, e: EventOf<'vmm.vfio.group.close'>): Outcome {
  const g = w.groups.get(e.group);
  if (!g) return refused('EBADF');
  const others = g.deviceFds + g.kvmFileRefs;
  const code = stepGroup(g, others === 0 ? 'CLOSE_LAST_REF' : 'CLOSE_WITH_REFS');
  if (code) return refused(code);
  if (others === 0) releaseGroupFile(w, g);
  return OK;
}

/** Drops a reference on the group file held by a device fd or KVM; the last one releases it. */
export function putGroupFile(w: World, g: Group): void {
  if (g.lc !== 'orphaned') return;
  const last = g.deviceFds + g.kvmFileRefs === 0;
  stepGroup(g, last ? 'PUT_LAST' : 'PUT_OTHER');
  if (last) releaseGroupFile(w, g);
}

export function setContainer(w: World, e: EventOf<'vmm.vfio.group.set_container'>): Outcome {
  const g = w.groups.get(e.group);
  if (!g) return refused('EBADF');
  const st = GROUP.step(g.lc, 'SET_CONTAINER');
  if (st.code) return refused(st.code);
  const c = w.containers.get(e.container);
  if (!c) return refused('EBADF');
  const code = canAttach(w, c, g.id);
  if (code) return refused(code);
  attach(w, c, g.id);
  g.lc = st.target;
  return OK;
}

export function unsetContainer(w: World, e: EventOf<'vmm.vfio.group.unset_container'>): Outcome {
  const g = w.groups.get(e.group);
  if (!g) return refused('EBADF');
  const code = stepGroup(g, 'UNSET_CONTAINER');
  if (code) return refused(code);
  detach(w, g.id);
  return OK;
}

/** VFIO_GROUP_GET_DEVICE_FD: EBADF, then ENODEV for a device not in the group or not bound to vfio-pci, then EINVAL without container or driver. */
export function getDeviceFd(w: World, e: EventOf<'vmm.vfio.group.get_device_fd'>): Outcome {
  const g = w.groups.get(e.group);
  if (!g) return refused('EBADF');
  const st = GROUP.step(g.lc, 'DEVICE_OPEN');
  if (st.code === 'EBADF') return refused('EBADF');
  const dev = w.devices.get(e.device);
  if (!dev || dev.group !== g.id || dev.driver !== 'vfio-pci') return refused('ENODEV');
  if (st.code) return refused(st.code);
  const c = w.containers.get(g.container!)!;
  if (!c.iommu && !c.spapr) return refused('EINVAL');
  if (w.devfds.has(e.fd)) return refused('EEXIST');
  const first = dev.openCount === 0;
  if (first && w.kvmAssociation === 'open' && g.kvm) {
    // vfio_device_group_get_kvm_safe: the kvm of the group is captured, with a reference, at first open.
    dev.kvm = g.kvm;
    vmGet(w, g.kvm);
  }
  if (first) {
    // open_device: a failure (kvm registration) undoes the open.
    const code = zdevOpen(w, dev, g);
    if (code) {
      if (dev.kvm) vmPut(w, dev.kvm);
      dev.kvm = undefined;
      return refused(code);
    }
  }
  dev.lc = DEVICE.step(dev.lc, first ? 'OPEN_FIRST' : 'OPEN_AGAIN').target;
  dev.openCount++;
  g.deviceFds++;
  g.lc = st.target;
  w.devfds.set(e.fd, { id: e.fd, device: dev.id });
  return OK;
}

export function deviceClose(w: World, e: EventOf<'vmm.vfio.device.close'>): Outcome {
  const fd = w.devfds.get(e.fd);
  if (!fd) return refused('EBADF');
  const dev = w.devices.get(fd.device)!;
  const g = w.groups.get(dev.group)!;
  w.devfds.delete(e.fd);
  dev.openCount--;
  const last = dev.openCount === 0;
  dev.lc = DEVICE.step(dev.lc, last ? 'CLOSE_LAST' : 'CLOSE_OTHER').target;
  if (last) zdevClose(w, dev);
  if (last) releaseSva(w, dev);
  if (last && dev.kvm) {
    const kvm = dev.kvm;
    dev.kvm = undefined;
    vmPut(w, kvm);
  }
  g.deviceFds--;
  if (g.lc === 'orphaned') putGroupFile(w, g);
  else stepGroup(g, g.deviceFds === 0 ? 'DEVICE_CLOSE_LAST' : 'DEVICE_CLOSE_OTHER');
  return OK;
}
