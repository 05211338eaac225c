/**
 * What differs between the two s390 designs, as one interface: who handles IOAT registration and
 * RPCIT. `userspace` is the merged design (QEMU shadows through VFIO type1); `kvm-shadow` is the
 * v4 proposal (KVM shadows into a KVM-owned domain). Variants override these handlers by name.
 */
import type { Outcome } from '../model/outcome.js';
import type { Vm, World, ZpciFn } from '../model/world.js';

export interface ZpciDesign {
  /** Whether the guest's RPCIT is intercepted to the VMM (a VM exit) rather than handled in KVM. */
  readonly rpcitExits: boolean;
  /** Extra work when the guest registers its IOAT; an outcome refuses the registration. */
  registerIoat(w: World, vm: Vm, f: ZpciFn): Outcome | undefined;
  /** Tear down everything derived from the guest tables. */
  deregisterIoat(w: World, vm: Vm, f: ZpciFn): void;
  /** The refresh itself, after the shared checks: [start, end) lies partly within pba..pal. */
  refresh(w: World, vm: Vm, f: ZpciFn, start: bigint, end: bigint): Outcome;
}
