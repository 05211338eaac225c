/**
 * A log line's `expectState`: facts about the state after the event that no outcome carries, so
 * a log can assert them where a reader would otherwise need the debugger: a process's locked_vm,
 * a frame's pin count, the entry a container's IOMMU table holds for a bus address, a zPCI
 * function's state and its queued error events (PEC and address, as QEMU queues them). Pure.
 */
import type { ExpectState } from '../events/types.js';
import { FORMATS } from '../iommu/formats.js';
import { pageOf } from '../memory/constants.js';
import type { World } from '../model/world.js';
import { spaprEntries } from '../spapr/container.js';
import { hex } from '../util/hex.js';

/** The frame a container's table maps bus address `iova` to (type1 or KVM domain, or sPAPR window), null for none, undefined without a table. */
export function tableEntry(w: World, container: string, iova: bigint): number | null | undefined {
  const c = w.containers.get(container);
  if (!c) return undefined;
  const page = pageOf(iova);
  if (c.spapr) return spaprEntries(w, c.spapr).find((e) => e.iobaPage === page)?.pfn ?? null;
  const dom = c.iommu ? w.domains.get(c.iommu.domain) : undefined;
  if (!dom) return undefined;
  return FORMATS[dom.format].translate(w.frames, dom.root, page)?.pfn ?? null;
}

const show = (pfn: number | null | undefined) => (pfn === undefined ? 'no table' : pfn === null ? 'no entry' : `frame ${hex(pfn)}`);

/** The first way the state differs from the expectation, or undefined. */
export function compareState(w: World, x: ExpectState): string | undefined {
  for (const [mm, pages] of Object.entries(x.lockedVm ?? {})) {
    const got = w.mms.get(mm)?.lockedVm;
    if (got !== pages) return `expected ${mm}'s locked_vm ${pages} pages, got ${got === undefined ? 'no such process' : got}`;
  }
  for (const [pfn, count] of x.pins ?? []) {
    const got = w.pins.get(pfn) ?? 0;
    if (got !== count) return `expected frame ${hex(pfn)} pinned ${count} times, got ${got}`;
  }
  for (const [container, entries] of Object.entries(x.entry ?? {})) {
    for (const [iova, pfn] of entries) {
      const got = tableEntry(w, container, iova);
      if (got !== pfn) return `expected ${container}'s table at ${hex(iova)} to hold ${show(pfn)}, got ${show(got)}`;
    }
  }
  for (const [device, want] of Object.entries(x.zpci ?? {})) {
    const f = w.zpci.get(device);
    if (!f) return `expected zPCI function ${device}, but it is not plugged`;
    if (want.state !== undefined && f.lc !== want.state) return `expected zPCI function ${device} ${want.state}, got ${f.lc}`;
    if (want.errors !== undefined) {
      const got = f.errors.map((e) => `pec ${hex(e.pec)} at ${hex(e.faddr)}`).join(', ') || 'none';
      const exp = want.errors.map((e) => `pec ${hex(e.pec)} at ${hex(e.addr)}`).join(', ') || 'none';
      if (got !== exp) return `expected zPCI function ${device}'s error events ${exp}, got ${got}`;
    }
  }
  return undefined;
}
