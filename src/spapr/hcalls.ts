/**
 * The TCE hypercalls, as KVM handles them (book3s_64_vio.c, kernel-facts §7.3) with KVM's exact
 * return codes; H_TOO_HARD hands the call to the VMM, which answers as QEMU's spapr_iommu.c does
 * (§7.5): it never returns H_TOO_HARD, masks a misaligned IOBA, and stops an indirect list at the
 * first failing element. The hand-off is a VM exit, counted in the statistics.
 * KVM's H_PUT_TCE_INDIRECT validates every TCE first, then stores them; an address check that only
 * the store loop makes (a DMA_NONE TCE outside guest memory) fails after earlier entries were
 * stored, as in the kernel.
 */
import { ev } from '../events/types.js';
import { gpaToHvaPage } from '../kvm/memslots.js';
import { guestResolver } from '../kvm/guest-memory.js';
import { readU64Through } from '../memory/phys.js';
import type { Outcome } from '../model/outcome.js';
import type { TceTable, Vm, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { KvmSpaprTceOps } from '../ops/types.js';
import { U64_MAX } from '../util/hex.js';
import { H, TCE_LIST_ENDIAN, TCE_LIST_MAX, TCE_PERM_MASK, type HCode } from './layout.js';
import { findTable, tceClearRange, tceGet, tcePut } from './tce-table.js';
import { hwClear, hwUpdate } from './binding.js';
import { preregFrame } from './container.js';

const out = (code: string, value?: bigint): Outcome => (value === undefined ? { code } : { code, value });

/** kvmppc_ioba_validate. */
function iobaValidate(t: TceTable, ioba: bigint, npages: bigint): HCode {
  const shift = BigInt(t.pageShift);
  if ((ioba & ((1n << shift) - 1n)) !== 0n) return H.PARAMETER;
  const idx = ioba >> shift;
  if (idx < t.offset || idx - t.offset + npages > t.size || idx + npages > U64_MAX) return H.PARAMETER;
  return H.SUCCESS;
}

/** kvmppc_tce_to_ua: whether the TCE's guest page is in a memslot. */
const tceInMemslot = (vm: Vm, tce: bigint) => gpaToHvaPage(vm, Number(tce >> 12n)) !== undefined;

/**
 * The frames backing a mapping TCE's page in one container's hardware window, one per hardware
 * sub-page, through the process's preregistered memory; undefined when any is missing.
 */
const tceToFrames: KvmSpaprTceOps['tce_to_frames'] = (w, vm, x, t, tce) => {
  const hvaPage = gpaToHvaPage(vm, Number((tce & ~TCE_PERM_MASK) >> 12n));
  // preregistered memory is in 4 KiB pages: a larger hardware page cannot be backed (mm_iommu_ua_to_hpa).
  if (hvaPage === undefined || x.win.pageShift > 12) return undefined;
  const out: number[] = [];
  for (let i = 0; i < 1 << (t.pageShift - 12); i++) {
    // mm_iommu_lookup(kvm->mm, ...): the VMM process's preregistered memory, whichever container registered it.
    const pfn = preregFrame(w.mms.get(vm.mm)!, hvaPage + i);
    if (pfn === undefined) return undefined;
    out.push(pfn);
  }
  return out;
};

/**
 * kvmppc_tce_validate: DMA_NONE always passes (userspace may poison); a mapping must be aligned,
 * in guest memory, and inside the preregistered memory of every hardware table behind the LIOBN.
 */
const tceValidate: KvmSpaprTceOps['tce_validate'] = (w, vm, t, tce, targets) => {
  if ((tce & TCE_PERM_MASK) === 0n) return H.SUCCESS;
  const gpa = tce & ~TCE_PERM_MASK;
  if ((gpa & ((1n << BigInt(t.pageShift)) - 1n)) !== 0n) return H.TOO_HARD;
  if (!tceInMemslot(vm, tce)) return H.TOO_HARD;
  const ops = opsOf(w).kvm_spapr_tce;
  for (const x of targets) if (!ops.tce_to_frames(w, vm, x, t, tce)) return H.TOO_HARD;
  return H.SUCCESS;
};

/** kvmppc_tce_iommu_map/unmap for every hardware table behind the LIOBN, then the guest-visible store. */
const putEverywhere: KvmSpaprTceOps['put_everywhere'] = (w, vm, t, targets, ioba, tce) => {
  const perm = tce & TCE_PERM_MASK;
  const ops = opsOf(w).kvm_spapr_tce;
  hwUpdate(w, targets, ioba, t.pageShift, (x) => (perm === 0n ? undefined : ops.tce_to_frames(w, vm, x, t, tce)), perm);
  tcePut(w, t, ioba >> BigInt(t.pageShift), tce);
};

function kvmPutTce(w: World, vm: Vm, t: TceTable, ioba: bigint, tce: bigint): string {
  const r = iobaValidate(t, ioba, 1n);
  if (r !== H.SUCCESS) return r;
  const ops = opsOf(w).kvm_spapr_tce;
  const targets = ops.iommu_targets(w, t);
  const v = ops.tce_validate(w, vm, t, tce, targets);
  if (v !== H.SUCCESS) return v;
  if ((tce & TCE_PERM_MASK) !== 0n && !tceInMemslot(vm, tce)) return H.PARAMETER;
  ops.put_everywhere(w, vm, t, targets, ioba, tce);
  return H.SUCCESS;
}

/**
 * QEMU's IOMMU notifier for a VFIO-backed table (vfio_iommu_map_notify): a MAP or UNMAP ioctl on
 * each container behind the LIOBN. QEMU reports a failed ioctl and carries on, so the hypercall
 * still succeeds.
 */
function qemuNotify(w: World, vm: Vm, t: TceTable, ioba: bigint, tce: bigint): void {
  const size = 1n << BigInt(t.pageShift);
  const iova = ioba & ~(size - 1n);
  const cids = new Set(t.attached.map((g) => w.groups.get(g)?.container).filter((c): c is string => c !== undefined));
  for (const container of cids) {
    if (!w.containers.get(container)?.spapr) continue;
    const perm = tce & TCE_PERM_MASK;
    const hvaPage = gpaToHvaPage(vm, Number((tce & ~TCE_PERM_MASK) >> 12n));
    // QEMU's vfio listener issues the ioctl.
    w.stats.ioctls++;
    const vfio = opsOf(w).vfio;
    if (perm === 0n || hvaPage === undefined) vfio.dma_unmap(w, ev('vmm.vfio.dma.unmap', { container, iova, size }));
    else vfio.dma_map(w, ev('vmm.vfio.dma.map', { container, iova, vaddr: BigInt(hvaPage) << 12n, size, flags: Number(perm) }));
  }
}

/** QEMU's put_tce_emu after `ioba &= page_mask`: index from the bus offset, bounded by the window. */
function qemuPut(w: World, vm: Vm, t: TceTable, ioba: bigint, tce: bigint): HCode {
  const shift = BigInt(t.pageShift);
  const index = ((ioba & ~((1n << shift) - 1n)) - (t.offset << shift)) >> shift;
  if (index < 0n || index >= t.size) return H.PARAMETER;
  tcePut(w, t, t.offset + index, tce);
  qemuNotify(w, vm, t, (t.offset + index) << shift, tce);
  return H.SUCCESS;
}

/**
 * One TCE hypercall: KVM's handler runs on the LIOBN's table. An unknown LIOBN, or H_TOO_HARD
 * from KVM, exits to the VMM (a VM exit in the statistics). QEMU knows no table KVM does not, so
 * there an unknown LIOBN is H_PARAMETER; `vmm` runs for a known table KVM handed off, and is left
 * out by the calls KVM always completes once it has the table.
 */
function hcall(w: World, vmId: string, liobn: bigint, kvm: (vm: Vm, t: TceTable) => Outcome, vmm?: (vm: Vm, t: TceTable) => Outcome): Outcome {
  const vm = w.vms.get(vmId);
  if (!vm || vm.lc !== 'running') return { code: 'EBADF' };
  const t = findTable(w, vm.id, liobn);
  const r = t ? kvm(vm, t) : out(H.TOO_HARD);
  if (r.code !== H.TOO_HARD) return r;
  w.stats.vmExits++;
  return t && vmm ? vmm(vm, t) : out(H.PARAMETER);
}

const hPutTce: KvmSpaprTceOps['h_put_tce'] = (w, e) =>
  hcall(
    w,
    e.vm,
    e.liobn,
    (vm, t) => out(kvmPutTce(w, vm, t, e.ioba, e.tce)),
    (vm, t) => out(qemuPut(w, vm, t, e.ioba, e.tce)),
  );

const hGetTce: KvmSpaprTceOps['h_get_tce'] = (w, e) =>
  hcall(w, e.vm, e.liobn, (_vm, t) => {
    const r = iobaValidate(t, e.ioba, 1n);
    return r !== H.SUCCESS ? out(r) : out(H.SUCCESS, tceGet(w, t, e.ioba >> BigInt(t.pageShift)));
  });

const hStuffTce: KvmSpaprTceOps['h_stuff_tce'] = (w, e) =>
  hcall(w, e.vm, e.liobn, (vm, t) => {
    const r = iobaValidate(t, e.ioba, e.npages);
    if (r !== H.SUCCESS) return out(r);
    // stuff only clears or poisons: a TCE with R or W set is refused.
    if ((e.tceValue & TCE_PERM_MASK) !== 0n) return out(H.PARAMETER);
    const ops = opsOf(w).kvm_spapr_tce;
    const targets = ops.iommu_targets(w, t);
    if (e.tceValue === 0n) {
      // clearing: only entries ever written need work, however many pages the guest names.
      hwClear(w, targets, e.ioba, t.pageShift, e.npages);
      tceClearRange(w, t, e.ioba >> BigInt(t.pageShift), e.npages);
      return out(H.SUCCESS);
    }
    for (let i = 0n; i < e.npages; i++) ops.put_everywhere(w, vm, t, targets, e.ioba + (i << BigInt(t.pageShift)), e.tceValue);
    return out(H.SUCCESS);
  });

const hPutTceIndirect: KvmSpaprTceOps['h_put_tce_indirect'] = (w, e) => {
  const read = (vm: Vm, i: bigint) => readU64Through(w.frames, guestResolver(w, vm), e.tceList + i * 8n, TCE_LIST_ENDIAN);
  const listOk = e.npages <= BigInt(TCE_LIST_MAX) && (e.tceList & 0xfffn) === 0n;
  return hcall(
    w,
    e.vm,
    e.liobn,
    (vm, t) => {
      if (!listOk) return out(H.PARAMETER);
      const r = iobaValidate(t, e.ioba, e.npages);
      if (r !== H.SUCCESS) return out(r);
      if (!tceInMemslot(vm, e.tceList)) return out(H.TOO_HARD);
      const ops = opsOf(w).kvm_spapr_tce;
      const targets = ops.iommu_targets(w, t);
      for (let i = 0n; i < e.npages; i++) {
        const v = ops.tce_validate(w, vm, t, read(vm, i), targets);
        if (v !== H.SUCCESS) return out(v);
      }
      for (let i = 0n; i < e.npages; i++) {
        const tce = read(vm, i);
        if (!tceInMemslot(vm, tce)) return out(H.PARAMETER);
        ops.put_everywhere(w, vm, t, targets, e.ioba + (i << BigInt(t.pageShift)), tce);
      }
      return out(H.SUCCESS);
    },
    (vm, t) => {
      if (!listOk) return out(H.PARAMETER);
      for (let i = 0n; i < e.npages; i++) {
        const r = qemuPut(w, vm, t, e.ioba + (i << BigInt(t.pageShift)), read(vm, i));
        if (r !== H.SUCCESS) return out(r);
      }
      return out(H.SUCCESS);
    },
  );
};

export const KVM_HCALL_OPS: Pick<KvmSpaprTceOps, 'h_put_tce' | 'h_put_tce_indirect' | 'h_stuff_tce' | 'h_get_tce' | 'tce_validate' | 'tce_to_frames' | 'put_everywhere'> = {
  h_put_tce: hPutTce,
  h_put_tce_indirect: hPutTceIndirect,
  h_stuff_tce: hStuffTce,
  h_get_tce: hGetTce,
  tce_validate: tceValidate,
  tce_to_frames: tceToFrames,
  put_everywhere: putEverywhere,
};
