/**
 * no-dangling-kvm: once a VM is destroyed, no device holds it (device->kvm, a kvm_zdev), no group
 * points at it, no zPCI function of it keeps pins, and no device keeps a GISA without a kvm.
 */
import type { Property, Violation } from './types.js';

export const noDanglingKvm: Property = {
  name: 'no-dangling-kvm',
  kind: 'invariant',
  reads: ['devices', 'groups', 'vms', 'zpci'],
  description: 'a destroyed VM is referenced by nothing: no device, zdev, group, GISA or zPCI pin',
  check(view) {
    const w = view.w;
    const out: Violation[] = [];
    const report = (message: string) => out.push({ property: this.name, message });
    for (const d of w.devices.values()) if (d.gisa !== undefined && !d.kzdev) report(`device ${d.id} keeps GISA 0x${d.gisa.toString(16)} without a kvm`);
    for (const vm of w.vms.values()) {
      if (vm.lc !== 'destroyed') continue;
      for (const d of w.devices.values()) {
        if (d.kvm === vm.id) report(`VM ${vm.id} is destroyed but device ${d.id} still holds it`);
        if (d.kzdev?.kvm === vm.id) report(`VM ${vm.id} is destroyed but device ${d.id}'s kvm_zdev still points to it`);
      }
      for (const g of w.groups.values()) if (g.kvm === vm.id) report(`VM ${vm.id} is destroyed but group ${g.id} still points to it`);
      for (const f of w.zpci.values()) {
        if (f.vm === vm.id && (f.shadow.size || f.tablePins.size || f.aen)) report(`VM ${vm.id} is destroyed but zPCI function ${f.id} still holds KVM pins`);
      }
    }
    return out;
  },
};
