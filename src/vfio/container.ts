/**
 * VFIO container ioctls (drivers/vfio/container.c): open, SET_IOMMU, MAP/UNMAP handed to the
 * container's IOMMU driver, close; and the attach and detach of groups the group ioctls share.
 */
import { TABLES } from '../../machines/index.js';
import { OK, refused } from '../model/outcome.js';
import type { Container, Group, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { VfioOps } from '../ops/types.js';
import { isSupportedType1, type1Of } from './type1/type1.js';
import { VFIO_SPAPR_TCE_v2_IOMMU } from './uapi.js';

const CONTAINER = TABLES['vfio-container'];
const DOMAIN = TABLES['iommu-domain'];

export const VFIO_CONTAINER_OPS: Pick<VfioOps, 'container_open' | 'container_close' | 'set_iommu' | 'dma_map' | 'dma_unmap'> = {
  container_open(w, e) {
    if (!w.mms.has(e.mm)) return refused('ESRCH');
    const old = w.containers.get(e.container);
    // the id of a container still alive (its file, or a group holding it) is not free for another.
    if (old && old.lc !== 'released') return refused('ID_IN_USE');
    w.containers.set(e.container, { id: e.container, mm: e.mm, lc: CONTAINER.initial, groups: [] });
    return OK;
  },

  container_close(w, e) {
    const c = w.containers.get(e.container);
    if (!c) return refused('EBADF');
    const st = CONTAINER.step(c.lc, 'CLOSE');
    if (st.code) return refused(st.code);
    c.lc = st.target;
    return OK;
  },

  set_iommu(w, e) {
    const c = w.containers.get(e.container);
    if (!c) return refused('EBADF');
    const st = CONTAINER.step(c.lc, 'SET_IOMMU');
    if (st.code) return refused(st.code);
    const ops = opsOf(w);
    if (w.arch === 'ppc64') {
      // a POWER host offers the sPAPR TCE v2 driver, not type1.
      if (e.iommu !== VFIO_SPAPR_TCE_v2_IOMMU) return refused('ENODEV');
      c.spapr = ops.vfio_iommu_spapr_tce.open(w, c);
      for (const g of c.groups) ops.vfio_iommu_spapr_tce.attach_group(w, w.groups.get(g)!);
      c.lc = st.target;
      return OK;
    }
    if (!isSupportedType1(w, e.iommu)) return refused('ENODEV');
    const t1 = ops.vfio_iommu_type1.open(w, c, e.iommu);
    for (const g of c.groups) ops.vfio_iommu_type1.attach_group(w, t1, w.groups.get(g)!);
    c.iommu = t1;
    c.lc = st.target;
    return OK;
  },

  dma_map(w, e) {
    if (w.containers.get(e.container)?.spapr) return opsOf(w).vfio_iommu_spapr_tce.map_dma(w, e);
    const got = type1Of(w, e.container);
    return 'code' in got ? got : opsOf(w).vfio_iommu_type1.map_dma(w, got.container, got.t1, e);
  },

  dma_unmap(w, e) {
    if (w.containers.get(e.container)?.spapr) return opsOf(w).vfio_iommu_spapr_tce.unmap_dma(w, e);
    const got = type1Of(w, e.container);
    return 'code' in got ? got : opsOf(w).vfio_iommu_type1.unmap_dma(w, got.container, got.t1, e);
  },
};

/** Checks that `groupId` may join container `c` (fd open; the DMA-ownership claim succeeds). */
export function canAttach(w: World, c: Container, groupId: string): string | undefined {
  const st = CONTAINER.step(c.lc, 'GROUP_ATTACH');
  if (st.code) return st.code;
  const g = w.groups.get(groupId)!;
  return DOMAIN.step(g.dmaLc, 'CLAIM').code;
}

/** Commits an attach that canAttach allowed: claim DMA ownership, join the driver's domain if set. */
export function attach(w: World, c: Container, g: Group): void {
  const ops = opsOf(w);
  g.dmaLc = DOMAIN.step(g.dmaLc, 'CLAIM').target;
  c.groups.push(g.id);
  c.lc = CONTAINER.step(c.lc, 'GROUP_ATTACH').target;
  g.container = c.id;
  if (c.iommu) ops.vfio_iommu_type1.attach_group(w, c.iommu, g);
  if (c.spapr) ops.vfio_iommu_spapr_tce.attach_group(w, g);
}

/** vfio_group_detach_container: the group leaves; the last group releases the driver. */
export function groupDetach(w: World, g: Group): void {
  const ops = opsOf(w);
  const c = w.containers.get(g.container!)!;
  ops.kvm_stage2_share.stop_sharing(w, g.id);
  if (c.iommu) ops.vfio_iommu_type1.detach_group(w, g);
  if (c.spapr) ops.vfio_iommu_spapr_tce.detach_group(w, g);
  g.dmaLc = DOMAIN.step(g.dmaLc, g.defaultDomain === 'identity' ? 'RELEASE_IDENTITY' : 'RELEASE').target;
  g.container = undefined;
  c.groups.splice(c.groups.indexOf(g.id), 1);
  const last = c.groups.length === 0;
  if (last) {
    if (c.iommu) ops.vfio_iommu_type1.release(w, c);
    if (c.spapr) ops.vfio_iommu_spapr_tce.release(w, c);
  }
  c.lc = CONTAINER.step(c.lc, last ? 'GROUP_DETACH_LAST' : 'GROUP_DETACH_OTHER').target;
}
