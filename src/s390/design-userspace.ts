/**
 * The merged design: RPCIT is intercepted to QEMU, which walks the guest tables and keeps a
 * translation cache; each new cache entry becomes one 4 KiB VFIO_IOMMU_MAP_DMA and coalesced
 * 4 KiB invalidations become UNMAP_DMA calls (QEMU rpcit_service_call, s390_pci_update_iotlb,
 * s390_pci_batch_unmap; kernel-facts §2.3). QEMU's own mapping budget (S390PCIDMACount) gates new
 * entries. Modelled as the code reads, including two of its accounting details: replacing a cached
 * entry decrements the budget without giving the old entry's count back, and invalidations that
 * stop above the page level drop cache entries without telling VFIO.
 */
import { addrOf, pageOf } from '../memory/constants.js';
import type { Outcome } from '../model/outcome.js';
import { ev } from '../events/types.js';
import { opsOf } from '../ops/registry.js';
import type { ZpciUserspaceOps } from '../ops/types.js';
import { FRAME_PAGE } from '../iommu/s390/layout.js';
import { walkGuestTable } from '../iommu/s390/guest-walk.js';
import { U64_MAX } from '../util/hex.js';
import { guestRamPage, guestResolver } from '../kvm/guest-memory.js';
import { walkFailure } from './walk-failure.js';
import { ccErr, ccOk, ST } from './status.js';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE } from '../vfio/uapi.js';

export const ZPCI_USERSPACE_OPS: ZpciUserspaceOps = {
  // RPCIT is intercepted to QEMU: a VM exit.
  intercept(w) {
    w.stats.vmExits++;
  },

  map_notify(w, vm, f, iovaPage, gpaPage, write) {
    const hvaPage = guestRamPage(w, vm, gpaPage);
    if (hvaPage === undefined) {
      // "iommu map to non memory area": QEMU reports it and carries on.
      w.stats.vfioMapErrors++;
      return;
    }
    const flags = VFIO_DMA_MAP_FLAG_READ | (write ? VFIO_DMA_MAP_FLAG_WRITE : 0);
    w.stats.ioctls++;
    const out = opsOf(w).vfio.dma_map(w, ev('vmm.vfio.dma.map', { container: f.container, vaddr: addrOf(hvaPage), iova: addrOf(iovaPage), size: FRAME_PAGE, flags }));
    if (out.code !== 'OK') w.stats.vfioMapErrors++;
  },

  unmap_notify(w, f, iova, size) {
    w.stats.ioctls++;
    opsOf(w).vfio.dma_unmap(w, ev('vmm.vfio.dma.unmap', { container: f.container, iova, size }));
  },

  batch_unmap(w, f, iova, len) {
    const ops = opsOf(w);
    let start = iova;
    let remain = len;
    while (remain >= FRAME_PAGE) {
      let size = FRAME_PAGE;
      while ((start & (size * 2n - 1n)) === 0n && size * 2n <= remain) size *= 2n;
      ops.zpci_userspace.unmap_notify(w, f, start, size);
      start += size;
      remain -= size;
    }
  },

  update_iotlb(w, vm, f, iovaPage, gpaPage, write) {
    const ops = opsOf(w).zpci_userspace;
    const avail = () => w.qemuDmaLimits.get(f.container)!;
    const setAvail = (n: number) => w.qemuDmaLimits.set(f.container, n);
    const cached = f.iotlb.get(iovaPage);
    if (gpaPage === undefined) {
      if (cached) {
        f.iotlb.delete(iovaPage);
        setAvail(avail() + 1);
      }
      return avail();
    }
    if (cached) {
      if (cached.gpaPage === gpaPage && cached.write === write) return avail();
      ops.unmap_notify(w, f, addrOf(iovaPage), FRAME_PAGE);
    }
    f.iotlb.set(iovaPage, { gpaPage, write });
    setAvail(avail() - 1);
    ops.map_notify(w, vm, f, iovaPage, gpaPage, write);
    return avail();
  },

  register_ioat: () => undefined,
  // QEMU's shadow does not depend on KVM.
  kvm_released: () => undefined,

  deregister_ioat(w, _vm, f) {
    // s390_pci_iommu_disable empties the cache (without returning budget); removing the IOMMU
    // region makes the VFIO listener unmap the whole range from the kernel.
    f.iotlb.clear();
    if (f.ioat) opsOf(w).zpci_userspace.unmap_notify(w, f, 0n, f.ioat.pal === U64_MAX ? U64_MAX - 0xfffn : f.ioat.pal + 1n);
  },

  refresh(w, vm, f, sstart, end): Outcome {
    const ops = opsOf(w).zpci_userspace;
    const resolve = guestResolver(w, vm);
    let avail = w.qemuDmaLimits.get(f.container)!;
    for (;;) {
      let start = sstart;
      let again = false;
      let coalesceIova = 0n;
      let coalesce = 0n;
      while (start < end) {
        const entry = walkGuestTable(w.frames, resolve, f.ioat!.iota, start);
        if (entry.error) {
          // QEMU still sends the unmaps coalesced so far before reporting the error.
          if (coalesce > 0n) ops.batch_unmap(w, f, coalesceIova, coalesce);
          return walkFailure(f, entry.error, start);
        }
        if (entry.perm === 'none' && entry.len === FRAME_PAGE) {
          if (coalesce === 0n) coalesceIova = entry.iova;
          coalesce += entry.len;
        } else if (coalesce > 0n) {
          ops.batch_unmap(w, f, coalesceIova, coalesce);
          coalesce = 0n;
        }
        if (start + entry.len > U64_MAX) break;
        start += entry.len;
        const stop = start < end ? start : end;
        if (entry.perm === 'none') {
          // only cached pages change; walking 2^19 empty pages of an invalid region entry would not.
          for (const page of [...f.iotlb.keys()]) {
            if (addrOf(page) >= entry.iova && addrOf(page) < stop) avail = ops.update_iotlb(w, vm, f, page, undefined, false);
          }
          continue;
        }
        for (let iova = entry.iova, pa = entry.translated; iova < stop; iova += FRAME_PAGE, pa += FRAME_PAGE) {
          if (avail <= 0) {
            again = true;
            break;
          }
          avail = ops.update_iotlb(w, vm, f, pageOf(iova), pageOf(pa), entry.perm === 'rw');
        }
      }
      if (coalesce > 0n) ops.batch_unmap(w, f, coalesceIova, coalesce);
      if (!(again && avail > 0)) break;
    }
    return avail > 0 ? ccOk : ccErr(ST.INSUF_RES);
  },
};
