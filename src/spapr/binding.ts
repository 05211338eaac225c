/**
 * Binding a KVM TCE table (a LIOBN) to VFIO groups: KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE with the
 * attach rules of kvm_spapr_tce_attach_iommu_group (kernel-facts §4.4, §7.4), and how KVM's
 * hypercalls then reach the hardware tables. The two designs argued over in 2016 differ in one
 * decision, whose TCE caches a hypercall kills: `liobn-to-group` kills only the groups bound to the
 * LIOBN, so a group that joins the container later keeps stale entries; `liobn-to-container` (the
 * reference, as today's kernel: the kill goes through the hardware table to every group using it)
 * kills every group of the container, whenever it joined.
 */
import type { EventOf } from '../events/types.js';
import { TABLES } from '../../machines/index.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import { pointsOf, registerVariant } from '../model/variant.js';
import type { Container, SpaprIommu, SpaprWindow, TceTable, World } from '../model/world.js';
import { compatibleWindow, hwClearRange, hwSetEntry, killGroupCaches } from './container.js';

const KV = TABLES['kvm-vfio-device'];

export const LIOBN_TO_GROUP = registerVariant({
  name: 'liobn-to-group',
  description: 'sPAPR: a LIOBN is bound to VFIO groups; KVM hypercalls kill the TCE caches of the bound groups only (the 2016 patch)',
  points: { spaprBinding: 'group' },
});
export const LIOBN_TO_CONTAINER = registerVariant({
  name: 'liobn-to-container',
  description: "sPAPR: a LIOBN is bound to the groups' container; KVM hypercalls kill every group of the container, including groups added later (the reviewer's design)",
  points: { spaprBinding: 'container' },
});

/** The group's sPAPR container, when it is in one. */
function spaprContainerOf(w: World, groupId: string): Container | undefined {
  const cid = w.groups.get(groupId)?.container;
  const c = cid === undefined ? undefined : w.containers.get(cid);
  return c?.spapr ? c : undefined;
}

/** The hardware window a KVM table drives in a container, or undefined. */
function windowOf(s: SpaprIommu, t: TceTable): SpaprWindow | undefined {
  const shift = BigInt(t.pageShift);
  return compatibleWindow(s, t.offset << shift, t.pageShift, t.size << shift);
}

export function setSpaprTce(w: World, e: EventOf<'vmm.kvm.vfio.set_spapr_tce'>): Outcome {
  const d = w.kvmdevs.get(e.dev);
  if (!d) return refused('EBADF');
  const st = KV.step(d.lc, 'SET_SPAPR_TCE');
  if (st.code) return refused(st.code);
  const g = w.groups.get(e.group);
  if (!g || g.lc === 'closed' || g.lc === 'orphaned') return refused('EBADF');
  if (!d.files.includes(g.id)) return refused('ENOENT');
  const t = w.tceTables.get(e.table);
  if (!t) return refused('EBADF');
  // the table must be one of this VM's (kvm->arch.spapr_tce_tables).
  if (t.vm !== d.vm) return refused('EINVAL');
  // only POWER groups have an iommu_table_group.
  if (w.arch !== 'ppc64') return refused('EFAULT');
  const c = spaprContainerOf(w, g.id);
  if (!c || !windowOf(c.spapr!, t)) return refused('EINVAL');
  // a second bind of the same group only takes another reference on the link.
  if (!t.attached.includes(g.id)) t.attached.push(g.id);
  return OK;
}

/** kvm_spapr_tce_release_iommu_group: the group's links go (FILE_DEL, device release). */
export function releaseGroupBindings(w: World, groupId: string): void {
  for (const t of w.tceTables.values()) {
    const i = t.attached.indexOf(groupId);
    if (i >= 0) t.attached.splice(i, 1);
  }
}

/** One hardware table a hypercall must update, with the groups whose caches it kills. */
export interface HwTarget {
  readonly c: Container;
  readonly win: SpaprWindow;
  readonly kill: readonly string[];
}

/** The hardware tables behind a LIOBN, one per container of its bound groups. */
export function hwTargets(w: World, t: TceTable): HwTarget[] {
  const byGroup = pointsOf(w).spaprBinding === 'group';
  const found = new Map<Container, { win: SpaprWindow; bound: string[] }>();
  for (const gid of t.attached) {
    const c = spaprContainerOf(w, gid);
    const win = c && windowOf(c.spapr!, t);
    if (!c || !win) continue;
    const x = found.get(c);
    if (x) x.bound.push(gid);
    else found.set(c, { win, bound: [gid] });
  }
  return [...found].map(([c, { win, bound }]) => ({ c, win, kill: byGroup ? bound : c.groups }));
}

/** Maps (pfn given) or clears one guest IOMMU page in every target, then kills the caches. */
export function hwUpdate(w: World, targets: readonly HwTarget[], ioba: bigint, pageShift: number, frames: (x: HwTarget) => number[] | undefined, perm: bigint): void {
  for (const x of targets) {
    const s = x.c.spapr!;
    const sub = 1 << (pageShift - x.win.pageShift);
    const pfns = frames(x);
    for (let i = 0; i < sub; i++) hwSetEntry(w, x.c, s, x.win, ioba + (BigInt(i) << BigInt(x.win.pageShift)), pfns?.[i], perm);
    killGroupCaches(w, x.kill, Number(ioba >> 12n), Number((1n << BigInt(pageShift)) >> 12n));
  }
}

/** Clears `npages` guest IOMMU pages from `ioba` in every target, then kills the caches (visiting only written entries). */
export function hwClear(w: World, targets: readonly HwTarget[], ioba: bigint, pageShift: number, npages: bigint): void {
  const bytes = npages << BigInt(pageShift);
  for (const x of targets) {
    const shift = BigInt(x.win.pageShift);
    hwClearRange(w, x.c.spapr!, x.win, (ioba - x.win.start) >> shift, bytes >> shift);
    killGroupCaches(w, x.kill, Number(ioba >> 12n), Number(bytes >> 12n));
  }
}
