/**
 * teardown-complete: once every fd of a container is closed it holds no mappings and no driver;
 * once a process holds no VFIO fd its pages carry no pins and its locked_vm is 0 (references to a
 * destroyed VM are no-dangling-kvm's concern); and once everything is closed (every container,
 * group, device, KVM-VFIO device, TCE table and VM fd) nothing remains anywhere: no VM kept
 * alive by a leaked reference, no pin, no charge, no domain, no binding, no cached translation.
 * sPAPR preregistered memory is the process's (mm->context.iommu_group_mem_list) and goes at its
 * exit (mm_iommu_cleanup), which the model has no event for: a region the process still lists
 * keeps its pins and charge here. spapr-accounting holds its used count to the containers.
 */
import { hex } from '../src/util/hex.js';
import { anonOwner } from '../src/memory/owners.js';
import type { World } from '../src/model/world.js';
import type { Property, Violation } from './types.js';

/** Processes that still hold a live VFIO container or group, or a KVM TCE table. */
function busyMms(w: World): Set<string> {
  const busy = new Set<string>();
  for (const c of w.containers.values()) if (c.lc !== 'released') busy.add(c.mm);
  for (const g of w.groups.values()) if (g.mm !== undefined) busy.add(g.mm);
  for (const t of w.tceTables.values()) {
    const vm = w.vms.get(t.vm);
    if (vm) busy.add(vm.mm);
  }
  return busy;
}

/**
 * Whether userspace has closed every file it had: containers released, groups, devices and
 * KVM-VFIO devices closed, TCE tables gone and every VM fd closed. A VM may still be alive here
 * ('closing') or a group file ('orphaned'), but only on references the kernel itself leaked:
 * nothing userspace holds can put them.
 */
export function everyFileClosed(w: World): boolean {
  for (const c of w.containers.values()) if (c.lc !== 'released') return false;
  for (const g of w.groups.values()) if (g.lc !== 'closed' && g.lc !== 'orphaned') return false;
  for (const d of w.devices.values()) if (d.lc !== 'closed') return false;
  for (const k of w.kvmdevs.values()) if (k.lc !== 'released') return false;
  for (const vm of w.vms.values()) if (vm.lc !== 'destroyed' && vm.lc !== 'closing') return false;
  return w.tceTables.size === 0 && w.containers.size + w.vms.size > 0;
}

/** Whether every VFIO and KVM object the world ever had is closed: the state a full teardown reaches. */
export function everythingClosed(w: World): boolean {
  for (const g of w.groups.values()) if (g.lc !== 'closed') return false;
  for (const vm of w.vms.values()) if (vm.lc !== 'destroyed') return false;
  return everyFileClosed(w);
}

/** Pins and pages the processes' preregistered memory holds until they exit. */
function processPrereg(w: World): { pfns: Map<number, number>; pages: Map<string, number> } {
  const pfns = new Map<number, number>();
  const pages = new Map<string, number>();
  for (const mm of w.mms.values()) {
    for (const r of mm.iommuMem) {
      for (const pfn of r.pfns) pfns.set(pfn, (pfns.get(pfn) ?? 0) + 1);
      pages.set(mm.id, (pages.get(mm.id) ?? 0) + r.pages);
    }
  }
  return { pfns, pages };
}

/** What is left over once everything is closed, as messages. */
function leftovers(w: World): string[] {
  const out: string[] = [];
  const kept = processPrereg(w);
  for (const [pfn, n] of w.pins) if (n !== (kept.pfns.get(pfn) ?? 0)) out.push(`frame ${hex(pfn)} is still pinned ${n} times`);
  for (const mm of w.mms.values()) if (mm.lockedVm !== (kept.pages.get(mm.id) ?? 0)) out.push(`mm ${mm.id} still has locked_vm ${mm.lockedVm}`);
  for (const d of w.domains.values()) out.push(`domain ${d.id} (${d.type}) was never freed`);
  for (const d of w.devices.values()) {
    if (d.sva) out.push(`device ${d.id} is still bound to mm ${d.sva.mm}`);
    if (d.kvm || d.kzdev) out.push(`device ${d.id} still refers to kvm ${d.kvm ?? d.kzdev!.kvm}`);
  }
  for (const g of w.groups.values()) {
    if (g.kvm) out.push(`group ${g.id} still refers to kvm ${g.kvm}`);
    if (g.kvmFileRefs) out.push(`group ${g.id} still has ${g.kvmFileRefs} KVM-VFIO file references`);
    if (g.tceCache.size) out.push(`group ${g.id} still caches ${g.tceCache.size} TCEs`);
  }
  for (const f of w.zpci.values()) {
    const held = f.shadow.size + f.tablePins.size + (f.aen?.pins.length ?? 0);
    if (held) out.push(`zPCI function ${f.id} still holds ${held} pinned pages`);
  }
  return out;
}

export const teardownComplete: Property = {
  name: 'teardown-complete',
  kind: 'invariant',
  reads: ['containers', 'devfds', 'devices', 'domains', 'frames', 'groups', 'kvmdevs', 'mms', 'pins', 'tceTables', 'vms', 'zpci'],
  // of the frames, only which are in use and whose (the owner map): no frame's bytes.
  frameOwners: [],
  description: 'closed containers and idle processes leave no pins, charges or mappings',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const report = (message: string) => out.push({ property: this.name, message });
    for (const c of w.containers.values()) {
      if (c.lc !== 'released') continue;
      if (c.iommu) report(`container ${c.id} is released but still has an IOMMU driver with ${c.iommu.dmas.length} mappings`);
      if (c.groups.length) report(`container ${c.id} is released but still has groups ${c.groups.join(', ')}`);
    }
    const busy = busyMms(w);
    const kept = processPrereg(w);
    for (const mm of w.mms.values()) {
      if (busy.has(mm.id)) continue;
      if (mm.lockedVm !== (kept.pages.get(mm.id) ?? 0)) report(`mm ${mm.id} holds no VFIO fd but has locked_vm ${mm.lockedVm} pages`);
      const owner = anonOwner(mm.id);
      for (const [pfn, count] of w.pins) {
        if (count !== (kept.pfns.get(pfn) ?? 0) && w.frames.owner.get(pfn) === owner) report(`mm ${mm.id} holds no VFIO fd but frame ${hex(pfn)} has pin count ${count}`);
      }
    }
    if (everyFileClosed(w)) {
      // a VM outliving every file is a leaked kvm reference (kvm_put_kvm never called): it is never freed.
      for (const vm of w.vms.values()) if (vm.lc === 'closing') report(`every file is closed but VM ${vm.id} still has ${vm.refs} references and is never destroyed`);
      for (const g of w.groups.values()) if (g.lc === 'orphaned') report(`every file is closed but group ${g.id}'s file is still referenced and never released`);
      for (const m of leftovers(w)) report(`everything is closed but ${m}`);
    }
    return out;
  },
};
