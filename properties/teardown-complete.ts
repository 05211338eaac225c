/**
 * teardown-complete: once every fd of a container is closed it holds no mappings and no driver;
 * once a process holds no VFIO fd its pages carry no pins and its locked_vm is 0 (references to a
 * destroyed VM are no-dangling-kvm's concern).
 */
import { hex } from '../src/util/hex.js';
import { anonOwner } from '../src/mm/pages.js';
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

export const teardownComplete: Property = {
  name: 'teardown-complete',
  kind: 'invariant',
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
    for (const mm of w.mms.values()) {
      if (busy.has(mm.id)) continue;
      if (mm.lockedVm !== 0) report(`mm ${mm.id} holds no VFIO fd but has locked_vm ${mm.lockedVm} pages`);
      const owner = anonOwner(mm.id);
      for (const [pfn, count] of w.pins) {
        if (count !== 0 && w.frames.owner.get(pfn) === owner) report(`mm ${mm.id} holds no VFIO fd but frame ${hex(pfn)} has pin count ${count}`);
      }
    }
    return out;
  },
};
