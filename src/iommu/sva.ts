/**
 * The sva-pri design: a device's DMA uses the VMM process's own page table through a PASID bound
 * to its mm (iommu_sva_bind_device), so nothing is pinned. The device caches translations (its
 * ATC); a DMA that finds no translation raises a page request (PRI), which the host answers by
 * faulting the page in (handle_mm_fault) before the device retries. Because nothing is pinned the
 * host may move any page at any time, and the one rule is that the mmu notifier invalidates the
 * device's cached translation before the page moves (mm.invalidate_range).
 */
import { archRefusal } from '../events/arch.js';
import { pageOf } from '../memory/constants.js';
import { findVma } from '../memory/mm.js';
import { FAULT, OK, refused, type Outcome } from '../model/outcome.js';
import type { PciDevice, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { SvaOps } from '../ops/types.js';
import { U64_MAX } from '../util/hex.js';
import { TABLES } from '../../machines/index.js';

const SVA = TABLES['sva-bond'];
/** The sva-bond machine state of a device: a binding record exists exactly while bound. */
const svaState = (dev: PciDevice) => (dev.sva ? 'bound' : 'unbound');

function boundDevice(w: World, fdId: string): PciDevice | Outcome {
  const fd = w.devfds.get(fdId);
  if (!fd) return refused('EBADF');
  return w.devices.get(fd.device)!;
}

export const SVA_OPS: SvaOps = {
  bind(w, e) {
    const dev = boundDevice(w, e.fd);
    if ('code' in dev) return dev;
    // SVA needs an IOMMU that walks CPU page tables (VT-d first stage); the model offers it on x86 only.
    const elsewhere = archRefusal(w.arch, 'vmm.vfio.device.bind_sva');
    if (elsewhere) return refused(elsewhere);
    const g = w.groups.get(dev.group)!;
    if (g.dmaLc !== 'unmanaged' || g.mm === undefined) return refused('EINVAL');
    const st = SVA.step(svaState(dev), 'BIND');
    if (st.code) return refused(st.code);
    dev.sva = { mm: g.mm, atc: new Map() };
    return OK;
  },

  unbind(w, e) {
    const dev = boundDevice(w, e.fd);
    if ('code' in dev) return dev;
    const st = SVA.step(svaState(dev), 'UNBIND');
    if (st.code) return refused(st.code);
    opsOf(w).sva.release(w, dev);
    return OK;
  },

  release(w, dev) {
    if (SVA.step(svaState(dev), 'RELEASE').actions.length === 0) return;
    dev.sva = undefined;
    w.stats.iotlbFlushes++;
  },

  page_request(w, _dev, mm, page) {
    if (!mm.pages.has(page)) w.stats.pageRequests++;
    return opsOf(w).mm.fault_in(w, mm, page);
  },

  invalidate(w, mm, page) {
    for (const dev of w.devices.values()) {
      if (dev.sva?.mm !== mm.id) continue;
      dev.sva.atc.delete(page);
      w.stats.iotlbFlushes++;
    }
  },
};

/**
 * The frames of an SVA access: ATC hits, then walks of the process's pages, then page requests
 * for pages not present. An address outside every VMA gets an invalid-request response, so the
 * access faults, and then nothing was faulted in or cached.
 */
export function svaRange(w: World, dev: PciDevice, iova: bigint, len: number): number[] | Outcome {
  const sva = dev.sva!;
  const mm = w.mms.get(sva.mm)!;
  if (iova + BigInt(len) - 1n > U64_MAX) return refused(FAULT.notPresent);
  const first = pageOf(iova);
  const last = pageOf(iova + BigInt(len) - 1n);
  for (let p = first; p <= last; p++) if (!sva.atc.has(p) && findVma(mm, p) === undefined) return refused(FAULT.notPresent);
  const ops = opsOf(w);
  const pfns: number[] = [];
  for (let p = first; p <= last; p++) {
    let t = sva.atc.get(p);
    if (t === undefined) {
      t = { pfn: ops.sva.page_request(w, dev, mm, p), write: true };
      sva.atc.set(p, t);
    }
    pfns.push(t.pfn);
  }
  return pfns;
}
