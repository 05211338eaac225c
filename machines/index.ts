/** The lifecycle machines, by name, and their compiled tables as the reference design has them (built once at load). */
import type { AnyStateMachine } from 'xstate';
import { compileMachine, type MachineTable } from './compile.js';
import { iommuDomainMachine } from './iommu-domain.js';
import { kvmVfioDeviceMachine } from './kvm-vfio-device.js';
import { kvmVmMachine } from './kvm-vm.js';
import { vfioContainerMachine } from './vfio-container.js';
import { vfioDeviceMachine } from './vfio-device.js';
import { vfioGroupMachine } from './vfio-group.js';
import { zpciFunctionMachine } from './zpci-function.js';
import { svaBondMachine } from './sva-bond.js';
import { liobnMachine } from './liobn.js';
import { pagePinMachine } from './page-pin.js';
import { kvmAssociationMachine } from './kvm-association.js';
import { setKvmNotifierMachine } from './set-kvm-notifier.js';
import { domainOwnerMachine } from './domain-owner.js';

export const MACHINES = {
  'vfio-container': vfioContainerMachine,
  'vfio-group': vfioGroupMachine,
  'vfio-device': vfioDeviceMachine,
  'kvm-vm': kvmVmMachine,
  'kvm-vfio-device': kvmVfioDeviceMachine,
  'iommu-domain': iommuDomainMachine,
  'zpci-function': zpciFunctionMachine,
  'sva-bond': svaBondMachine,
  'kvm-association': kvmAssociationMachine,
  'set-kvm-notifier': setKvmNotifierMachine,
  'domain-owner': domainOwnerMachine,
  liobn: liobnMachine,
  'page-pin': pagePinMachine,
} satisfies Record<string, AnyStateMachine>;

export type MachineName = keyof typeof MACHINES;

export const TABLES: Record<MachineName, MachineTable> = Object.fromEntries(
  Object.entries(MACHINES).map(([name, m]) => [name, compileMachine(m)]),
) as Record<MachineName, MachineTable>;
