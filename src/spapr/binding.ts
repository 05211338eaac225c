/**
 * Binding a KVM TCE table (a LIOBN) to VFIO groups: KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE with the
 * attach rules of kvm_spapr_tce_attach_iommu_group (kernel-facts §4.4, §7.4), and how KVM's
 * hypercalls then reach the hardware tables. The two designs argued over in 2016 differ in one
 * decision, whose TCE caches a hypercall kills (`kvm_spapr_tce.kill_groups`): `liobn-to-group`
 * kills only the groups bound to the LIOBN, so a group that joins the container later keeps stale
 * entries; `liobn-to-container` (the reference, as today's kernel: the kill goes through the
 * hardware table to every group using it) kills every group of the container, whenever it joined.
 */
import { OK, refused } from '../model/outcome.js';
import type { Container, SpaprIommu, SpaprWindow, TceTable, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { stepMachine } from '../ops/machines.js';
import type { HwTarget, KvmSpaprTceOps } from '../ops/types.js';
import { compatibleWindow } from './container.js';

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

export const KVM_TCE_BINDING_OPS: Pick<KvmSpaprTceOps, 'attach_group' | 'release_group' | 'iommu_targets' | 'kill_groups'> = {
  attach_group(w, d, g, t) {
    // the table must be one of this VM's (kvm->arch.spapr_tce_tables).
    if (t.vm !== d.vm) return refused('EINVAL');
    const c = spaprContainerOf(w, g.id);
    if (!c || !windowOf(c.spapr!, t)) return refused('EINVAL');
    const step = stepMachine(w, 'liobn', t.lc, 'BIND', t.id);
    if (step.code) return refused(step.code as 'EBADF');
    t.lc = step.target;
    // a second bind of the same group only takes another reference on the link.
    if (!t.attached.includes(g.id)) t.attached.push(g.id);
    return OK;
  },

  release_group(w, groupId) {
    for (const t of w.tceTables.values()) {
      const i = t.attached.indexOf(groupId);
      if (i < 0) continue;
      t.attached.splice(i, 1);
      t.lc = stepMachine(w, 'liobn', t.lc, t.attached.length === 0 ? 'UNBIND_LAST' : 'UNBIND_OTHER', t.id).target;
    }
  },

  iommu_targets(w, t) {
    const found = new Map<Container, { win: SpaprWindow; bound: string[] }>();
    for (const gid of t.attached) {
      const c = spaprContainerOf(w, gid);
      const win = c && windowOf(c.spapr!, t);
      if (!c || !win) continue;
      const x = found.get(c);
      if (x) x.bound.push(gid);
      else found.set(c, { win, bound: [gid] });
    }
    const ops = opsOf(w);
    return [...found].map(([c, { win, bound }]): HwTarget => ({ c, win, kill: ops.kvm_spapr_tce.kill_groups(w, c, bound) }));
  },

  // the kill goes through the hardware table, so every group using it hears it.
  kill_groups: (_w, c) => c.groups,
};

/** Maps (pfn given) or clears one guest IOMMU page in every target, then kills the caches. */
export function hwUpdate(w: World, targets: readonly HwTarget[], ioba: bigint, pageShift: number, frames: (x: HwTarget) => number[] | undefined, perm: bigint): void {
  const ops = opsOf(w).vfio_iommu_spapr_tce;
  for (const x of targets) {
    const s = x.c.spapr!;
    const sub = 1 << (pageShift - x.win.pageShift);
    const pfns = frames(x);
    for (let i = 0; i < sub; i++) ops.set_entry(w, x.c, s, x.win, ioba + (BigInt(i) << BigInt(x.win.pageShift)), pfns?.[i], perm);
    ops.tce_kill(w, x.kill, Number(ioba >> 12n), Number((1n << BigInt(pageShift)) >> 12n));
  }
}

/** Clears `npages` guest IOMMU pages from `ioba` in every target, then kills the caches (visiting only written entries). */
export function hwClear(w: World, targets: readonly HwTarget[], ioba: bigint, pageShift: number, npages: bigint): void {
  const ops = opsOf(w).vfio_iommu_spapr_tce;
  const bytes = npages << BigInt(pageShift);
  for (const x of targets) {
    const shift = BigInt(x.win.pageShift);
    ops.clear_entries(w, x.c.spapr!, x.win, (ioba - x.win.start) >> shift, bytes >> shift);
    ops.tce_kill(w, x.kill, Number(ioba >> 12n), Number(bytes >> 12n));
  }
}
