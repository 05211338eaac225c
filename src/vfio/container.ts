/** VFIO container ioctls: open, SET_IOMMU, close; and group attach/detach shared with the group code. */
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import type { Container, World } from '../model/world.js';
import { attachGroup, createType1, detachGroup, isSupportedType1, releaseType1 } from './type1/type1.js';
import { stopSharing } from '../kvm/stage2/shared.js';
import { newSpaprIommu, releaseSpapr, VFIO_SPAPR_TCE_v2_IOMMU } from '../spapr/container.js';

const CONTAINER = TABLES['vfio-container'];
const DOMAIN = TABLES['iommu-domain'];

export function containerOpen(w: World, e: EventOf<'vmm.vfio.container.open'>): Outcome {
  if (!w.mms.has(e.mm)) return refused('ESRCH');
  const old = w.containers.get(e.container);
  if (old && old.lc !== 'released') return refused('EEXIST');
  w.containers.set(e.container, { id: e.container, mm: e.mm, lc: CONTAINER.initial, groups: [] });
  return OK;
}

/** VFIO_SET_IOMMU: EINVAL without groups or with a driver set; ENODEV for a type no driver offers. */
export function setIommu(w: World, e: EventOf<'vmm.vfio.set_iommu'>): Outcome {
  const c = w.containers.get(e.container);
  if (!c) return refused('EBADF');
  const st = CONTAINER.step(c.lc, 'SET_IOMMU');
  if (st.code) return refused(st.code);
  if (w.arch === 'ppc64') {
    // a POWER host offers the sPAPR TCE v2 driver, not type1.
    if (e.iommu !== VFIO_SPAPR_TCE_v2_IOMMU) return refused('ENODEV');
    c.spapr = newSpaprIommu();
    for (const g of c.groups) spaprAttach(w, g);
    c.lc = st.target;
    return OK;
  }
  if (!isSupportedType1(w, e.iommu)) return refused('ENODEV');
  const t1 = createType1(w, c, e.iommu);
  for (const g of c.groups) attachGroup(w, t1, g);
  c.iommu = t1;
  c.lc = st.target;
  return OK;
}

export function containerClose(w: World, e: EventOf<'vmm.vfio.container.close'>): Outcome {
  const c = w.containers.get(e.container);
  if (!c) return refused('EBADF');
  const st = CONTAINER.step(c.lc, 'CLOSE');
  if (st.code) return refused(st.code);
  c.lc = st.target;
  return OK;
}

/** The group's PE takes the container's tables (they are shared, so there is nothing to copy). */
function spaprAttach(w: World, groupId: string): void {
  const g = w.groups.get(groupId)!;
  g.dmaLc = DOMAIN.step(g.dmaLc, 'ATTACH').target;
}

/** The group leaves: its PE's windows are unset and its TCE cache is gone. */
function spaprDetach(w: World, groupId: string): void {
  const g = w.groups.get(groupId)!;
  g.dmaLc = DOMAIN.step(g.dmaLc, 'DETACH').target;
  g.tceCache.clear();
}

/** Checks that `groupId` may join container `c` (fd open; the DMA-ownership claim succeeds). */
export function canAttach(w: World, c: Container, groupId: string): string | undefined {
  const st = CONTAINER.step(c.lc, 'GROUP_ATTACH');
  if (st.code) return st.code;
  const g = w.groups.get(groupId)!;
  return DOMAIN.step(g.dmaLc, 'CLAIM').code;
}

/** Commits an attach that canAttach allowed: claim DMA ownership, join the driver's domain if set. */
export function attach(w: World, c: Container, groupId: string): void {
  const g = w.groups.get(groupId)!;
  g.dmaLc = DOMAIN.step(g.dmaLc, 'CLAIM').target;
  c.groups.push(groupId);
  c.lc = CONTAINER.step(c.lc, 'GROUP_ATTACH').target;
  if (c.iommu) attachGroup(w, c.iommu, groupId);
  if (c.spapr) spaprAttach(w, groupId);
  g.container = c.id;
}

/** Detaches a group (UNSET_CONTAINER or the group's release); the last group releases the driver. */
export function detach(w: World, groupId: string): void {
  const g = w.groups.get(groupId)!;
  const c = w.containers.get(g.container!)!;
  stopSharing(w, groupId);
  if (c.iommu) detachGroup(w, groupId);
  if (c.spapr) spaprDetach(w, groupId);
  g.dmaLc = DOMAIN.step(g.dmaLc, g.defaultDomain === 'identity' ? 'RELEASE_IDENTITY' : 'RELEASE').target;
  g.container = undefined;
  c.groups.splice(c.groups.indexOf(groupId), 1);
  const last = c.groups.length === 0;
  if (last) {
    releaseType1(w, c);
    releaseSpapr(w, c);
  }
  c.lc = CONTAINER.step(c.lc, last ? 'GROUP_DETACH_LAST' : 'GROUP_DETACH_OTHER').target;
}
