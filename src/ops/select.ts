/**
 * Tables chosen per object, the way the kernel picks `ops` per object rather than per system: a
 * world's kvm association (host.boot) picks the association ops, a zPCI function's RPCIT design
 * (its plug) picks the design ops. Both tables are part of every design, so a variant can change
 * either.
 */
import type { PciDevice, World, ZpciFn } from '../model/world.js';
import { stepMachine } from './machines.js';
import { opsOf } from './registry.js';
import type { KvmAssociationOps, ZpciDesignOps } from './types.js';

/** The kvm association ops in force: capture at first open (final design) or the v3 SET_KVM notifier. */
export function kvmAssociationOps(w: World): KvmAssociationOps {
  const ops = opsOf(w);
  return w.kvmAssociation === 'notifier' ? ops.kvm_association_notifier : ops.kvm_association_open;
}

/**
 * Steps a device's association in the machine in force (the final design's or the v3 notifier's;
 * both start `unregistered`); a refusal leaves it where it is (a design that broke the rules the machine states).
 */
export function stepAssociation(w: World, dev: PciDevice, event: string): void {
  const st = stepMachine(w, w.kvmAssociation === 'notifier' ? 'set-kvm-notifier' : 'kvm-association', dev.assoc, event, dev.id);
  if (!st.code) dev.assoc = st.target;
}

/** The RPCIT design ops of a zPCI function. */
export function zpciDesignOps(w: World, f: ZpciFn): ZpciDesignOps {
  const ops = opsOf(w);
  return f.design === 'kvm-shadow' ? ops.zpci_kvm_shadow : ops.zpci_userspace;
}
