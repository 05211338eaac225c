/**
 * The v4 proposal: KVM intercepts RPCIT and shadows the guest's tables into a KVM-owned IOMMU
 * domain (kernel-facts §3.2, patches 18/26/27 of <20220314194451.58266-*>). Registering the IOAT
 * pins the guest region table (16 KiB); the walk pins segment and page tables on first use; each
 * guest PTE is compared with the host PTE: equal keeps it (the extra pin dropped), different
 * replaces it and unpins the old page, an invalid guest entry over a valid host entry invalidates it
 * (exactly 0x400) and unpins. Pins are charged to locked_vm per page (the review's demand);
 * partial failures are not rewound: the guest sees cc 1 and refreshes globally.
 * Result codes (handle_rpcit): -ENOMEM gives cc 1 status 4; other failures cc 3.
 */
import { addrOf, pageOf } from '../memory/constants.js';
import type { Outcome } from '../model/outcome.js';
import type { Domain, Vm, World, ZpciFn } from '../model/world.js';
import { walkGuestTable } from '../iommu/s390/guest-walk.js';
import { ensurePtePointer, readHostPte, writeHostPte } from '../iommu/s390/host-table.js';
import { FRAME_PAGE, ZPCI_IOTA_RTTO_FLAG, ZPCI_PTE_INVALID, ZPCI_TABLE_SIZE, validPte } from '../iommu/s390/layout.js';
import { U64_MAX } from '../util/hex.js';
import type { ZpciDesign } from './design.js';
import { pointsOf } from '../model/variant.js';
import { guestResolver } from '../kvm/guest-memory.js';
import { kvmPin, kvmPinsOf, kvmUnpin } from '../kvm/pins.js';
import { walkFailure } from './rpcit.js';
import { ccErr, ccInvalHandle, ccOk, ST } from './status.js';

function kvmDomain(w: World, f: ZpciFn): Domain {
  return w.domains.get(w.containers.get(f.container)!.iommu!.domain)!;
}

/** Pins a guest table page on first use. */
function pinTablePage(w: World, vm: Vm, f: ZpciFn, gpaPage: number, held: Map<number, number>): 'EFAULT' | 'ENOMEM' | undefined {
  if (f.tablePins.has(gpaPage)) return undefined;
  const r = kvmPin(w, vm, gpaPage, held);
  if ('code' in r) return r.code;
  f.tablePins.set(gpaPage, r.pfn);
  return undefined;
}

/** Drops the host entry KVM holds for an IOVA page: exactly 0x400, then the page is unpinned. */
function unshadow(w: World, vm: Vm, f: ZpciFn, dom: Domain, iovaPage: number, held: Map<number, number>): void {
  const s = f.shadow.get(iovaPage)!;
  writeHostPte(w.frames, ensurePtePointer(w.frames, dom.root, iovaPage, 'iommu:' + dom.id, dom.tables), ZPCI_PTE_INVALID);
  f.shadow.delete(iovaPage);
  if (pointsOf(w).kvmShadowUnpinOnInvalidate !== false) kvmUnpin(w, vm, s.pfn, held);
}

const failure = (code: 'EFAULT' | 'ENOMEM'): Outcome => (code === 'ENOMEM' ? ccErr(ST.FUNC_NOT_ENABLED) : ccInvalHandle);

export const kvmShadowDesign: ZpciDesign = {
  rpcitExits: false,
  registerIoat(w, vm, f) {
    const iota = f.ioat!.iota;
    if ((iota & ZPCI_IOTA_RTTO_FLAG) !== ZPCI_IOTA_RTTO_FLAG) return ccErr(ST.INSUF_RES);
    const rto = iota & ~ZPCI_IOTA_RTTO_FLAG & U64_MAX;
    const held = kvmPinsOf(w, vm);
    const first = pageOf(rto);
    const last = pageOf(rto + BigInt(ZPCI_TABLE_SIZE) - 1n);
    // all-or-nothing: the region table is pinned whole or not at all.
    const taken: number[] = [];
    for (let p = first; p <= last; p++) {
      const had = f.tablePins.has(p);
      if (pinTablePage(w, vm, f, p, held)) {
        for (const q of taken) {
          kvmUnpin(w, vm, f.tablePins.get(q)!, held);
          f.tablePins.delete(q);
        }
        return ccErr(ST.INSUF_RES);
      }
      if (!had) taken.push(p);
    }
    return undefined;
  },

  deregisterIoat(w, vm, f) {
    const held = kvmPinsOf(w, vm);
    const dom = kvmDomain(w, f);
    for (const page of [...f.shadow.keys()]) unshadow(w, vm, f, dom, page, held);
    for (const pfn of f.tablePins.values()) kvmUnpin(w, vm, pfn, held);
    f.tablePins.clear();
    w.stats.iotlbFlushes++;
  },

  refresh(w, vm, f, sstart, end) {
    const resolve = guestResolver(w, vm);
    const dom = kvmDomain(w, f);
    const owner = 'iommu:' + dom.id;
    const held = kvmPinsOf(w, vm);
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
        const code = pinTablePage(w, vm, f, pageOf(t), held);
        if (code) {
          result = failure(code);
          break walk;
        }
      }
      // the host mirrors every guest region and segment entry a walk passes through, so its tables
      // exist from the first refresh on, whatever the guest's page entries say.
      if (entry.tables.length === 3) ensurePtePointer(w.frames, dom.root, pageOf(entry.iova), owner, dom.tables);
      if (start + entry.len > U64_MAX) break;
      start += entry.len;
      const stop = start < end ? start : end;
      if (entry.perm === 'none') {
        for (const page of [...f.shadow.keys()]) {
          if (addrOf(page) >= entry.iova && addrOf(page) < stop) {
            unshadow(w, vm, f, dom, page, held);
            changed++;
          }
        }
        continue;
      }
      for (let iova = entry.iova, pa = entry.translated; iova < stop; iova += FRAME_PAGE, pa += FRAME_PAGE) {
        const iovaPage = pageOf(iova);
        const pin = kvmPin(w, vm, pageOf(pa), held);
        if ('code' in pin) {
          result = failure(pin.code);
          break walk;
        }
        const points = pointsOf(w);
        const write = points.kvmShadowWritable ? points.kvmShadowWritable(entry.perm === 'rw') : entry.perm === 'rw';
        const pteAddr = ensurePtePointer(w.frames, dom.root, iovaPage, owner, dom.tables);
        const want = validPte(addrOf(pin.pfn), !write);
        if (readHostPte(w.frames, dom.root, iovaPage) === want) {
          for (let n = points.kvmShadowPinsDroppedOnMatch ?? 1; n > 0; n--) kvmUnpin(w, vm, pin.pfn, held);
          continue;
        }
        const old = f.shadow.get(iovaPage);
        writeHostPte(w.frames, pteAddr, want);
        f.shadow.set(iovaPage, { gpaPage: pageOf(pa), pfn: pin.pfn, write });
        if (old) kvmUnpin(w, vm, old.pfn, held);
        changed++;
      }
    }
    // only when something changed is the real RPCIT issued to the device (the host IOTLB flush).
    if (changed > 0) w.stats.iotlbFlushes++;
    return result;
  },
};
