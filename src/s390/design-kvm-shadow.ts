/**
 * The v4 proposal: KVM intercepts RPCIT and shadows the guest's tables into a KVM-owned IOMMU
 * domain (kernel-facts §3.2, patches 18/26/27 of <20220314194451.58266-*>). Registering the IOAT
 * pins the guest region table (16 KiB); the walk pins segment and page tables on first use; each
 * guest PTE is compared with the host PTE: equal keeps it (the extra pin dropped), different
 * replaces it and unpins the old page, an invalid guest entry over a valid host entry invalidates it
 * (exactly 0x400) and unpins. Pins are charged to locked_vm per page (the review's demand);
 * partial failures are not rewound: the guest sees cc 1 and refreshes globally.
 * Result codes (handle_rpcit): -ENOMEM gives cc 1 status 4, -EIO (a page not pinned) cc 1 status 16;
 * other failures cc 3.
 */
import { addrOf, pageOf } from '../memory/constants.js';
import type { Outcome } from '../model/outcome.js';
import type { Domain, World, ZpciFn } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import { stepMachine } from '../ops/machines.js';
import type { ShadowCtx, ZpciKvmShadowOps } from '../ops/types.js';
import { walkGuestTable } from '../iommu/s390/guest-walk.js';
import { ensurePtePointer, readHostPte, setDomainPte } from '../iommu/s390/host-table.js';
import { FRAME_PAGE, ZPCI_IOTA_RTTO_FLAG, ZPCI_PTE_INVALID, ZPCI_TABLE_SIZE, validPte } from '../iommu/s390/layout.js';
import { U64_MAX } from '../util/hex.js';
import { guestResolver } from '../kvm/guest-memory.js';
import { kvmPinsOf } from '../kvm/pins.js';
import { walkFailure } from './walk-failure.js';
import { ccErr, ccInvalHandle, ccOk, ST } from './status.js';
import { domainTableOwner } from '../memory/owners.js';

function kvmDomain(w: World, f: ZpciFn): Domain {
  return w.domains.get(w.containers.get(f.container)!.iommu!.domain)!;
}

/**
 * A page the shadow cannot pin (over RLIMIT_MEMLOCK) makes dma_shadow_cpu_trans return -EIO,
 * which handle_rpcit reports as cc 1 status 16; status 4 is its -ENOMEM, a host table that cannot
 * be allocated, which the model's frame pool never refuses. An address no memslot backs is cc 3.
 */
const failure = (code: 'EFAULT' | 'ENOMEM'): Outcome => (code === 'ENOMEM' ? ccErr(ST.INSUF_RES) : ccInvalHandle);

export const ZPCI_KVM_SHADOW_OPS: ZpciKvmShadowOps = {
  // handle_rpcit runs in KVM: no exit to the VMM.
  intercept: () => undefined,

  register_ioat(w, vm, f) {
    const iota = f.ioat!.iota;
    if ((iota & ZPCI_IOTA_RTTO_FLAG) !== ZPCI_IOTA_RTTO_FLAG) return ccErr(ST.INSUF_RES);
    const rto = iota & ~ZPCI_IOTA_RTTO_FLAG & U64_MAX;
    const ops = opsOf(w);
    const x: ShadowCtx = { vm, f, dom: kvmDomain(w, f), held: kvmPinsOf(w, vm) };
    const first = pageOf(rto);
    const last = pageOf(rto + BigInt(ZPCI_TABLE_SIZE) - 1n);
    // all-or-nothing: the region table is pinned whole or not at all.
    const taken: number[] = [];
    for (let p = first; p <= last; p++) {
      const had = f.tablePins.has(p);
      if (ops.zpci_kvm_shadow.pin_table_page(w, x, p)) {
        for (const q of taken) {
          ops.kvm.unpin_guest_page(w, vm, f.tablePins.get(q)!, x.held);
          f.tablePins.delete(q);
        }
        return ccErr(ST.INSUF_RES);
      }
      if (!had) taken.push(p);
    }
    // a paging domain passes to KVM while it shadows into it, where the design lends domains.
    if (x.dom.owner === 'userspace') x.dom.owner = stepMachine(w, 'domain-owner', x.dom.owner, 'LEND', x.dom.id).target;
    return undefined;
  },

  // the shadow lives in KVM: it goes with the kvm association.
  kvm_released(w, vm, f) {
    if (f.ioat) opsOf(w).zpci.deregister_ioat(w, vm, f);
  },

  deregister_ioat(w, vm, f) {
    const ops = opsOf(w);
    const x: ShadowCtx = { vm, f, dom: kvmDomain(w, f), held: kvmPinsOf(w, vm) };
    for (const page of [...f.shadow.keys()]) ops.zpci_kvm_shadow.unshadow_entry(w, x, page);
    for (const pfn of f.tablePins.values()) ops.kvm.unpin_guest_page(w, vm, pfn, x.held);
    f.tablePins.clear();
    w.stats.iotlbFlushes++;
    if (x.dom.owner === 'lent') x.dom.owner = stepMachine(w, 'domain-owner', x.dom.owner, 'RETURN', x.dom.id).target;
  },

  refresh(w, vm, f, sstart, end) {
    const ops = opsOf(w);
    const resolve = guestResolver(w, vm);
    const x: ShadowCtx = { vm, f, dom: kvmDomain(w, f), held: kvmPinsOf(w, vm) };
    let changed = 0;
    let result: Outcome = ccOk;
    let start = sstart;
    walk: while (start < end) {
      const entry = walkGuestTable(w.frames, resolve, f.ioat!.iota, start);
      if (entry.error) {
        result = walkFailure(f, entry.error, start);
        break;
      }
      for (const t of entry.tables) {
        const code = ops.zpci_kvm_shadow.pin_table_page(w, x, pageOf(t));
        if (code) {
          result = failure(code);
          break walk;
        }
      }
      // the host mirrors every guest region and segment entry a walk passes through, so its tables
      // exist from the first refresh on, whatever the guest's page entries say.
      if (entry.tables.length === 3) ensurePtePointer(w.frames, x.dom.root, pageOf(entry.iova), domainTableOwner(x.dom.id), x.dom.tables);
      if (start + entry.len > U64_MAX) break;
      start += entry.len;
      const stop = start < end ? start : end;
      if (entry.perm === 'none') {
        for (const page of [...f.shadow.keys()]) {
          if (addrOf(page) >= entry.iova && addrOf(page) < stop) {
            ops.zpci_kvm_shadow.unshadow_entry(w, x, page);
            changed++;
          }
        }
        continue;
      }
      for (let iova = entry.iova, pa = entry.translated; iova < stop; iova += FRAME_PAGE, pa += FRAME_PAGE) {
        const r = ops.zpci_kvm_shadow.shadow_entry(w, x, pageOf(iova), pageOf(pa), entry.perm === 'rw');
        if (r === 'EFAULT' || r === 'ENOMEM') {
          result = failure(r);
          break walk;
        }
        if (r === 'changed') changed++;
      }
    }
    // only when something changed is the real RPCIT issued to the device (the host IOTLB flush).
    if (changed > 0) w.stats.iotlbFlushes++;
    return result;
  },

  pin_table_page(w, x, gpaPage) {
    if (x.f.tablePins.has(gpaPage)) return undefined;
    const r = opsOf(w).kvm.pin_guest_page(w, x.vm, gpaPage, x.held);
    if ('code' in r) return r.code;
    x.f.tablePins.set(gpaPage, r.pfn);
    return undefined;
  },

  shadow_entry(w, x, iovaPage, gpaPage, write) {
    const ops = opsOf(w);
    const pin = ops.kvm.pin_guest_page(w, x.vm, gpaPage, x.held);
    if ('code' in pin) return pin.code;
    const want = validPte(addrOf(pin.pfn), !write);
    if (readHostPte(w.frames, x.dom.root, iovaPage) === want) {
      // identical: the host entry already holds this page, so the new pin is one too many.
      ops.kvm.unpin_guest_page(w, x.vm, pin.pfn, x.held);
      return 'same';
    }
    const old = x.f.shadow.get(iovaPage);
    setDomainPte(w.frames, x.dom, iovaPage, want);
    x.f.shadow.set(iovaPage, { gpaPage, pfn: pin.pfn, write });
    if (old) ops.kvm.unpin_guest_page(w, x.vm, old.pfn, x.held);
    return 'changed';
  },

  unshadow_entry(w, x, iovaPage) {
    const s = x.f.shadow.get(iovaPage)!;
    setDomainPte(w.frames, x.dom, iovaPage, ZPCI_PTE_INVALID);
    x.f.shadow.delete(iovaPage);
    opsOf(w).kvm.unpin_guest_page(w, x.vm, s.pfn, x.held);
  },
};
