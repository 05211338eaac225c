/**
 * VFIO group fd ioctls and device fds (6.x group API): open, SET/UNSET_CONTAINER, GET_DEVICE_FD,
 * closes, and the deferred release while device fds or KVM hold the group file.
 */
import { TABLES } from '../../machines/index.js';
import { OK, refused } from '../model/outcome.js';
import type { Group, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { kvmAssociationOps, stepAssociation } from '../ops/select.js';
import type { VfioOps } from '../ops/types.js';
import { attach, canAttach, groupDetach } from './container.js';

const GROUP = TABLES['vfio-group'];
const DEVICE = TABLES['vfio-device'];

function stepGroup(g: Group, event: string): string | undefined {
  const st = GROUP.step(g.lc, event);
  if (st.code) return st.code;
  g.lc = st.target;
  return undefined;
}

/** The group file's release: leave the container (the last user unsets it). */
function releaseGroupFile(w: World, g: Group): void {
  if (g.container) opsOf(w).vfio.group_detach(w, g);
  g.mm = undefined;
}

export const VFIO_GROUP_OPS: Pick<VfioOps, 'group_open' | 'group_close' | 'set_container' | 'unset_container' | 'get_device_fd' | 'device_close' | 'group_detach' | 'group_put_file'> = {
  group_open(w, e) {
    const g = w.groups.get(e.group);
    if (!g) return refused('ENOENT');
    if (!w.mms.has(e.mm)) return refused('ESRCH');
    const code = stepGroup(g, 'OPEN');
    if (code) return refused(code);
    g.mm = e.mm;
    return OK;
  },

  group_close(w, e) {
    const g = w.groups.get(e.group);
    if (!g) return refused('EBADF');
    const others = g.deviceFds + g.kvmFileRefs;
    const code = stepGroup(g, others === 0 ? 'CLOSE_LAST_REF' : 'CLOSE_WITH_REFS');
    if (code) return refused(code);
    if (others === 0) releaseGroupFile(w, g);
    return OK;
  },

  group_put_file(w, g) {
    if (g.lc !== 'orphaned') return;
    const last = g.deviceFds + g.kvmFileRefs === 0;
    stepGroup(g, last ? 'PUT_LAST' : 'PUT_OTHER');
    if (last) releaseGroupFile(w, g);
  },

  group_detach: groupDetach,

  set_container(w, e) {
    const g = w.groups.get(e.group);
    if (!g) return refused('EBADF');
    const st = GROUP.step(g.lc, 'SET_CONTAINER');
    if (st.code) return refused(st.code);
    const c = w.containers.get(e.container);
    if (!c) return refused('EBADF');
    const code = canAttach(w, c, g.id);
    if (code) return refused(code);
    attach(w, c, g);
    g.lc = st.target;
    return OK;
  },

  unset_container(w, e) {
    const g = w.groups.get(e.group);
    if (!g) return refused('EBADF');
    const code = stepGroup(g, 'UNSET_CONTAINER');
    if (code) return refused(code);
    opsOf(w).vfio.group_detach(w, g);
    return OK;
  },

  /** EBADF, then ENODEV for a device not in the group or not bound to vfio-pci, then EINVAL without container or driver. */
  get_device_fd(w, e) {
    const g = w.groups.get(e.group);
    if (!g) return refused('EBADF');
    const st = GROUP.step(g.lc, 'DEVICE_OPEN');
    if (st.code === 'EBADF') return refused('EBADF');
    const dev = w.devices.get(e.device);
    if (!dev || dev.group !== g.id || dev.driver !== 'vfio-pci') return refused('ENODEV');
    if (st.code) return refused(st.code);
    const c = w.containers.get(g.container!)!;
    if (!c.iommu && !c.spapr) return refused('EINVAL');
    if (w.devfds.has(e.fd)) return refused('ID_IN_USE');
    const first = dev.openCount === 0;
    if (first) {
      // open_device: a failure (kvm registration) undoes the open.
      const code = kvmAssociationOps(w).open_device(w, dev, g);
      if (code) return refused(code);
      stepAssociation(w, dev, g.kvm ? 'OPEN_WITH_KVM' : 'OPEN_NO_KVM');
    }
    dev.lc = DEVICE.step(dev.lc, first ? 'OPEN_FIRST' : 'OPEN_AGAIN').target;
    dev.openCount++;
    g.deviceFds++;
    g.lc = st.target;
    w.devfds.set(e.fd, { id: e.fd, device: dev.id });
    return OK;
  },

  device_close(w, e) {
    const fd = w.devfds.get(e.fd);
    if (!fd) return refused('EBADF');
    const dev = w.devices.get(fd.device)!;
    const g = w.groups.get(dev.group)!;
    w.devfds.delete(e.fd);
    dev.openCount--;
    const last = dev.openCount === 0;
    dev.lc = DEVICE.step(dev.lc, last ? 'CLOSE_LAST' : 'CLOSE_OTHER').target;
    if (last) {
      const ops = opsOf(w);
      // close_device: the zPCI hooks, the SVA binding, then vfio core drops the captured kvm.
      ops.zpci.close_device(w, dev);
      ops.sva.release(w, dev);
      kvmAssociationOps(w).close_device(w, dev);
      stepAssociation(w, dev, 'CLOSE');
    }
    g.deviceFds--;
    const ops = opsOf(w);
    if (g.lc === 'orphaned') ops.vfio.group_put_file(w, g);
    else stepGroup(g, g.deviceFds === 0 ? 'DEVICE_CLOSE_LAST' : 'DEVICE_CLOSE_OTHER');
    return OK;
  },
};
