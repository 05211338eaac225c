/**
 * KVM's in-kernel TCE tables (arch/powerpc/kvm/book3s_64_vio.c, kernel-facts §7.3): creation with
 * its validation and up-front charge, the guest-visible table in host frames (backing pages
 * allocated on the first non-zero write), and release.
 */
import { archRefusal } from '../events/arch.js';
import { lazyFree, lazyGet, lazyNonZero, lazyPut } from '../memory/lazy-array.js';
import { OK, refused } from '../model/outcome.js';
import { canCharge } from '../mm/pages.js';
import type { TceTable, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { machineOf, stepMachine } from '../ops/machines.js';
import type { KvmSpaprTceOps } from '../ops/types.js';
import { U64_MAX } from '../util/hex.js';
import { KVM_TCE_ENDIAN, sttPages, tcePages } from './layout.js';
import { kvmTceOwner } from '../memory/owners.js';

/** KVM_CREATE_SPAPR_TCE_64: EINVAL for a bad geometry, ENOMEM over RLIMIT_MEMLOCK, EBUSY for a LIOBN already in use. */
const createTable: KvmSpaprTceOps['create_table'] = (w, e) => {
  const vm = w.vms.get(e.vm);
  if (!vm || vm.lc !== 'running') return refused('EBADF');
  // KVM_CREATE_SPAPR_TCE_64 is POWER's own VM ioctl: kvm_arch_vm_ioctl elsewhere answers -ENOTTY.
  const elsewhere = archRefusal(w.arch, 'vmm.kvm.create_spapr_tce_64');
  if (elsewhere) return refused(elsewhere);
  // kvm_arch_vm_ioctl refuses any flag before it creates anything (none is defined).
  if (e.flags !== 0) return refused('EINVAL');
  if (e.size === 0n || e.pageShift < 12 || e.pageShift > 34 || e.offset + e.size > U64_MAX >> BigInt(e.pageShift)) return refused('EINVAL');
  if (w.tceTables.has(e.table)) return refused('ID_IN_USE');
  const mm = w.mms.get(vm.mm)!;
  const charged = sttPages(tcePages(e.size));
  // a charge beyond what a number holds could never fit any limit.
  if (charged > BigInt(Number.MAX_SAFE_INTEGER) || !canCharge(mm, Number(charged), mm.capIpcLock)) return refused('ENOMEM');
  for (const t of w.tceTables.values()) if (t.vm === vm.id && t.liobn === e.liobn) return refused('EBUSY');
  const ops = opsOf(w);
  ops.mm.account_locked_vm(w, mm, Number(charged));
  // the table fd holds a reference on the VM (kvm_get_kvm at create, kvm_put_kvm at release).
  ops.kvm.get_kvm(w, vm.id);
  w.tceTables.set(e.table, { id: e.table, vm: vm.id, liobn: e.liobn, pageShift: e.pageShift, offset: e.offset, size: e.size, charged: Number(charged), pages: new Map(), attached: [], lc: machineOf(w, 'liobn').initial });
  return OK;
};

/** Releasing the table fd: backing frames freed, the charge returned. */
const closeTable: KvmSpaprTceOps['close_table'] = (w, e) => {
  const t = w.tceTables.get(e.table);
  if (!t) return refused('EBADF');
  const step = stepMachine(w, 'liobn', t.lc, 'CLOSE', t.id);
  if (step.code) return refused(step.code as 'EBADF');
  // the bindings go with the table (kvm_spapr_tce_release drops each stit): nothing else points at it.
  t.lc = step.target;
  t.attached = [];
  const ops = opsOf(w);
  lazyFree(w.frames, t.pages);
  const vm = w.vms.get(t.vm);
  const mm = vm ? w.mms.get(vm.mm) : undefined;
  if (mm) ops.mm.account_locked_vm(w, mm, -t.charged);
  w.tceTables.delete(e.table);
  ops.kvm.put_kvm(w, t.vm);
  return OK;
};

export const KVM_TCE_TABLE_OPS: Pick<KvmSpaprTceOps, 'create_table' | 'close_table'> = { create_table: createTable, close_table: closeTable };

/** The table of a VM for a LIOBN (kvmppc_find_table). */
export function findTable(w: World, vmId: string, liobn: bigint): TceTable | undefined {
  for (const t of w.tceTables.values()) if (t.vm === vmId && t.liobn === liobn) return t;
  return undefined;
}

/** kvmppc_tce_put: stores a TCE at an entry (counted from bus 0); clearing never allocates. */
export function tcePut(w: World, t: TceTable, entry: bigint, tce: bigint): void {
  lazyPut(w.frames, t.pages, Number(entry - t.offset), tce, KVM_TCE_ENDIAN, kvmTceOwner(t.id));
}

/** Reads a TCE (0 where no backing page was ever allocated). */
export function tceGet(w: World, t: TceTable, entry: bigint): bigint {
  return lazyGet(w.frames, t.pages, Number(entry - t.offset), KVM_TCE_ENDIAN);
}

/** Clears entries [entry, entry + count), visiting only the ones ever written. */
export function tceClearRange(w: World, t: TceTable, entry: bigint, count: bigint): void {
  for (const idx of lazyNonZero(w.frames, t.pages, entry - t.offset, count, KVM_TCE_ENDIAN)) lazyPut(w.frames, t.pages, idx, 0n, KVM_TCE_ENDIAN, '');
}
