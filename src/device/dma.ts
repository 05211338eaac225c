/**
 * DMA issued by a passed-through device: every page of the access is translated through the
 * group's current domain (the table bytes), and only when all pages are allowed are bytes moved.
 */
import { PAGE_MASK_N, PAGE_SIZE, pageOf } from '../memory/constants.js';
import { frameForRead, frameForWrite } from '../memory/frames.js';
import { FORMATS } from '../iommu/formats.js';
import { U64_MAX } from '../util/hex.js';
import { FAULT, OK, refused, type Outcome } from '../model/outcome.js';
import type { Container, Domain, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { DeviceOps } from '../ops/types.js';
import { VTD_APERTURE_PAGES } from '../iommu/vtd/layout.js';
import { spaprTranslate } from '../spapr/container.js';
import { svaRange } from '../iommu/sva.js';
import { sharedTranslate } from '../kvm/stage2/shared.js';
import { noteWritten, slotOf } from '../kvm/memslots.js';

/** Translates the pages of an access, or returns the fault the IOMMU raises first. */
function translateRange(w: World, deviceId: string, iova: bigint, len: number, write: boolean): number[] | Outcome {
  const dev = w.devices.get(deviceId);
  // a device the host does not have issues no DMA: nothing is translated.
  if (!dev) return refused(FAULT.notPresent);
  // a device bound for SVA tags its DMA with the PASID: the process's page table translates it.
  if (dev.sva) return svaRange(w, dev, iova, len);
  const g = w.groups.get(dev.group)!;
  if (g.dmaLc === 'blocked') return refused(FAULT.blocked);
  if (g.dmaLc === 'identity' || g.dmaLc === 'identity-kernel') return identityRange(w, iova, len);
  // the host's default DMA domain holds only the host driver's mappings, none of which the model tracks.
  if (g.dmaLc !== 'unmanaged') return refused(FAULT.notPresent);
  const c = g.container ? w.containers.get(g.container) : undefined;
  if (c?.spapr) return spaprRange(w, c, g.id, iova, len, write);
  // an unmanaged group between two steps of an attach or detach may have no domain yet: nothing translates.
  const dom = g.domain === undefined ? undefined : w.domains.get(g.domain);
  if (!dom) return refused(FAULT.notPresent);
  if (dom.type === 'kvm-stage2') return sharedRange(w, dom, iova, len, write);
  const format = FORMATS[dom.format];
  if (iova + BigInt(len) - 1n > U64_MAX) return refused(FAULT.notPresent);
  const first = pageOf(iova);
  const last = pageOf(iova + BigInt(len) - 1n);
  const pfns: number[] = [];
  for (let p = first; p <= last; p++) {
    // pages beyond the 48-bit aperture have no translation.
    const t = p < format.aperturePages ? format.translate(w.frames, dom.root, p) : undefined;
    if (t === undefined) return refused(FAULT.notPresent);
    if (write ? !t.write : !t.read) return refused(write ? FAULT.write : FAULT.read);
    pfns.push(t.pfn);
  }
  return pfns;
}

/** sPAPR: each page through the group's TCE cache or the shared table; the cache fills only if the whole access succeeds. */
function spaprRange(w: World, c: Container, groupId: string, iova: bigint, len: number, write: boolean): number[] | Outcome {
  if (iova + BigInt(len) - 1n > U64_MAX) return refused(FAULT.notPresent);
  const pfns: number[] = [];
  const fills: [number, { pfn: number; read: boolean; write: boolean }][] = [];
  for (let p = pageOf(iova); p <= pageOf(iova + BigInt(len) - 1n); p++) {
    const t = spaprTranslate(w, c, groupId, p);
    if (!t) return refused(FAULT.notPresent);
    if (write ? !t.write : !t.read) return refused(write ? FAULT.write : FAULT.read);
    if (t.fill) fills.push([p, { pfn: t.pfn, read: t.read, write: t.write }]);
    pfns.push(t.pfn);
  }
  const cache = w.groups.get(groupId)!.tceCache;
  for (const [p, t] of fills) cache.set(p, t);
  return pfns;
}

/**
 * stage2-shared: each page through the IOTLB or a walk of KVM's table; the IOTLB fills only if the
 * whole access succeeds. A write lands in guest memory without KVM seeing it, so the ghost record
 * of written pages notes it (dirty-tracking-complete then shows whether KVM's log caught it).
 */
function sharedRange(w: World, dom: Domain, iova: bigint, len: number, write: boolean): number[] | Outcome {
  if (iova + BigInt(len) - 1n > U64_MAX) return refused(FAULT.notPresent);
  const pfns: number[] = [];
  const fills: [number, { pfn: number; write: boolean; dirty: boolean }][] = [];
  const first = pageOf(iova);
  const last = pageOf(iova + BigInt(len) - 1n);
  for (let p = first; p <= last; p++) {
    const t = p < VTD_APERTURE_PAGES ? sharedTranslate(w, dom, p) : undefined;
    if (!t) return refused(FAULT.notPresent);
    if (write && !t.write) return refused(FAULT.write);
    if (t.fill) fills.push([p, { pfn: t.pfn, write: t.write, dirty: t.dirty }]);
    pfns.push(t.pfn);
  }
  for (const [p, t] of fills) dom.iotlb!.set(p, t);
  const vm = w.vms.get(dom.vm!)!;
  const share = opsOf(w).kvm_stage2_share;
  if (write) for (let p = first; p <= last; p++) {
    share.device_wrote(w, dom, p);
    const s = slotOf(vm, p);
    if (s) noteWritten(s, p);
  }
  return pfns;
}

/** Identity domain: IOVA = physical address; any allocated frame is reachable. */
function identityRange(w: World, iova: bigint, len: number): number[] | Outcome {
  if (iova + BigInt(len) - 1n > U64_MAX) return refused(FAULT.notPresent);
  const pfns: number[] = [];
  for (let p = pageOf(iova); p <= pageOf(iova + BigInt(len) - 1n); p++) {
    if (!w.frames.owner.has(p)) return refused(FAULT.notPresent);
    pfns.push(p);
  }
  return pfns;
}

const deviceDma: DeviceOps['dma'] = (w, deviceId, iova, len, data) => {
  if (len === 0) return data ? OK : { code: 'OK', data: new Uint8Array(0) };
  const pfns = translateRange(w, deviceId, iova, len, data !== undefined);
  if (!Array.isArray(pfns)) {
    w.stats.dmaFaults++;
    return pfns;
  }
  const out = data ? undefined : new Uint8Array(len);
  let off = Number(iova & PAGE_MASK_N);
  let done = 0;
  for (const pfn of pfns) {
    const n = Math.min(PAGE_SIZE - off, len - done);
    if (data) frameForWrite(w.frames, pfn, off, n).set(data.subarray(done, done + n), off);
    else out!.set(frameForRead(w.frames, pfn).subarray(off, off + n), done);
    done += n;
    off = 0;
  }
  return out ? { code: 'OK', data: out } : OK;
};

export const DEVICE_OPS: DeviceOps = { dma: deviceDma };
