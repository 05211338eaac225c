/**
 * The reference kvm_mmu ops: KVM's stage-2 MMU on x86 as the passthrough designs see it. Zaps and
 * write-protection are followed by a flush, and a flush reaches the IOTLB of an IOMMU that walks
 * the same table (the stage2-shared design).
 */
import { opsOf } from '../../ops/registry.js';
import type { KvmMmuOps } from '../../ops/types.js';
import { pageFault } from './fault.js';
import { sharedDomainOf } from './shared.js';
import { s2SlotPages, s2WriteProtect, s2Zap } from './table.js';

export const KVM_MMU_OPS: KvmMmuOps = {
  page_fault: pageFault,
  zap_gfn: s2Zap,

  flush_remote_tlbs(w, vm) {
    // the CPU TLBs hold nothing the model tracks; an IOMMU walking the table caches its leaves too.
    const dom = sharedDomainOf(w, vm);
    if (dom) opsOf(w).kvm_stage2_share.flush_iotlb(w, dom);
  },

  flush_remote_tlbs_memslot(w, vm) {
    opsOf(w).kvm_mmu.flush_remote_tlbs(w, vm);
  },

  flush_shadow_memslot(w, vm, slot) {
    const ops = opsOf(w);
    const pages = s2SlotPages(w, vm, slot);
    for (const p of pages) ops.kvm_mmu.zap_gfn(w, vm, p);
    if (pages.length > 0) ops.kvm_mmu.flush_remote_tlbs(w, vm);
  },

  // a table an IOMMU walks cannot be write-protected: devices take no write-protection faults.
  dirty_log_mode: (w, vm) => (sharedDomainOf(w, vm) !== undefined ? 'refused' : 'write-protect'),

  rearm_dirty_log(w, vm, slot, gpaPages) {
    const ops = opsOf(w);
    // cleared D bits must leave the IOTLB too, or a device's next write finds its entry already dirty.
    if (ops.kvm_mmu.dirty_log_mode(w, vm) === 'dirty-bits') return ops.kvm_mmu.flush_remote_tlbs(w, vm);
    let reprotected = 0;
    for (const p of gpaPages) if (s2WriteProtect(w, vm, p)) reprotected++;
    if (reprotected > 0) ops.kvm_mmu.flush_remote_tlbs_memslot(w, vm, slot);
  },

  invalidate_range_start(w, mm, page) {
    const ops = opsOf(w);
    for (const vm of w.vms.values()) {
      if (vm.mm !== mm.id || !vm.s2) continue;
      let zapped = false;
      for (const s of vm.slots) if (page >= s.hvaPage && page < s.hvaPage + s.pages) zapped = ops.kvm_mmu.zap_gfn(w, vm, s.gpaPage + (page - s.hvaPage)) || zapped;
      if (zapped) ops.kvm_mmu.flush_remote_tlbs(w, vm);
    }
  },
};
