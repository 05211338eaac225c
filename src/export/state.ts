/**
 * The whole model state as one JSON document, tables decoded: what `vkm replay --state-at LINE`
 * prints (the trace explorer of TLC, SPIN's -t -g). Every IOMMU table is read back from its bytes
 * into bus page → frame entries, so what is shown is what a device would reach. Pure.
 */
import { FORMATS } from '../iommu/formats.js';
import { addrOf } from '../memory/constants.js';
import type { World } from '../model/world.js';
import { spaprEntries } from '../spapr/container.js';
import { lazyGet, lazyNonZero } from '../memory/lazy-array.js';
import { KVM_TCE_ENDIAN } from '../spapr/layout.js';
import { hex } from '../util/hex.js';
import { kernelText } from '../model/kernel-version.js';

type Json = Record<string, unknown>;

const perm = (t: { read: boolean; write: boolean }) => `${t.read ? 'r' : '-'}${t.write ? 'w' : '-'}`;

export const STATE_SCHEMA = 'vkm-state/1';

/** The state after log line `line` (event `after`). */
export function describeState(w: World, line: number, after: string): Json {
  return {
    schema: STATE_SCHEMA,
    line,
    after,
    arch: w.arch,
    kernel: kernelText(w.kernel),
    design: w.design || 'reference',
    processes: [...w.mms.values()].map((mm) => ({
      id: mm.id,
      lockedVm: mm.lockedVm,
      memlockPages: mm.memlockPages,
      capIpcLock: mm.capIpcLock,
      vmas: mm.vmas.map((v) => ({ start: hex(addrOf(v.start)), end: hex(addrOf(v.end)) })),
      residentPages: mm.pages.size,
      preregistered: mm.iommuMem.map((r) => ({ vaddr: hex(addrOf(r.vaddrPage)), pages: r.pages, used: r.used, mapped: r.mapped })),
    })),
    pins: Object.fromEntries([...w.pins].sort((a, b) => a[0] - b[0]).map(([pfn, n]) => [hex(pfn), n])),
    vms: [...w.vms.values()].map((vm) => ({ id: vm.id, mm: vm.mm, state: vm.lc, refs: vm.refs, slots: vm.slots.map((s) => ({ gpa: hex(addrOf(s.gpaPage)), pages: s.pages })) })),
    containers: [...w.containers.values()].map((c) => ({
      id: c.id,
      mm: c.mm,
      state: c.lc,
      groups: c.groups,
      ...(c.iommu ? { type1: { domain: c.iommu.domain, mappings: c.iommu.dmas.map((d) => ({ iova: hex(addrOf(d.iovaPage)), pages: d.pages, vaddr: hex(addrOf(d.vaddrPage)), perm: perm(d) })) } } : {}),
      ...(c.spapr
        ? {
            spapr: {
              enabled: c.spapr.enabled,
              preregistered: c.spapr.prereg.map((r) => ({ vaddr: hex(addrOf(r.vaddrPage)), pages: r.pages })),
              windows: c.spapr.windows.flatMap((x) => (x ? [{ start: hex(x.start), pageShift: x.pageShift, entries: x.entries.toString() }] : [])),
              entries: spaprEntries(w, c.spapr).map((e) => ({ ioba: hex(addrOf(e.iobaPage)), frame: hex(e.pfn), perm: perm(e) })),
            },
          }
        : {}),
    })),
    groups: [...w.groups.values()].map((g) => ({ id: g.id, state: g.lc, domain: g.dmaLc, container: g.container ?? null, devices: g.devices, kvm: g.kvm ?? null, cachedTces: g.tceCache.size })),
    devices: [...w.devices.values()].map((d) => ({ id: d.id, group: d.group, state: d.lc, kvm: d.kvm ?? null, association: d.assoc })),
    domains: [...w.domains.values()].map((d) => ({
      id: d.id,
      type: d.type,
      owner: d.owner,
      container: d.container,
      entries: d.type === 'kvm-stage2' ? 'the VM\'s stage-2 table' : FORMATS[d.format].leaves(w.frames, d.root).map((l) => ({ iova: hex(addrOf(l.iovaPage)), frame: hex(l.t.pfn), perm: perm(l.t) })),
    })),
    zpci: [...w.zpci.values()].map((f) => ({
      device: f.id,
      vm: f.vm,
      fh: hex(f.fhBase),
      design: f.design,
      state: f.lc,
      ioat: f.ioat ? { iota: hex(f.ioat.iota), pba: hex(f.ioat.pba), pal: hex(f.ioat.pal) } : null,
      errors: f.errors.map((e) => ({ pec: hex(e.pec), addr: hex(e.faddr) })),
      shadow: [...f.shadow].map(([page, s]) => ({ iova: hex(addrOf(page)), gpa: hex(addrOf(s.gpaPage)), frame: hex(s.pfn), write: s.write })),
    })),
    tceTables: [...w.tceTables.values()].map((t) => ({
      id: t.id,
      vm: t.vm,
      liobn: hex(t.liobn),
      pageShift: t.pageShift,
      offset: hex(t.offset),
      size: hex(t.size),
      attached: t.attached,
      state: t.lc,
      // every TCE ever written and not cleared: bus address → the TCE (guest real address | permission bits).
      entries: lazyNonZero(w.frames, t.pages, 0n, t.size, KVM_TCE_ENDIAN).map((i) => ({ ioba: hex((t.offset + BigInt(i)) << BigInt(t.pageShift)), tce: hex(lazyGet(w.frames, t.pages, i, KVM_TCE_ENDIAN)) })),
    })),
  };
}
