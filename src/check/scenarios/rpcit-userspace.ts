/**
 * rpcit-userspace(G, I, L): the guest of rpcit-shadow under the merged design. QEMU shadows its
 * page-table entries into VFIO type1 one 4 KiB MAP_DMA at a time, with a container budget of L
 * mappings (dma_entry_limit). The guest edits page-table entries only, as Linux does; upper-level
 * invalidations are the known gap of test/regression/qemu-upper-level-invalidation.test.ts.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import { pageOf } from '../../memory/constants.js';
import { FORMATS } from '../../iommu/formats.js';
import type { Params, Scenario } from '../scenario.js';
import { dataGpa, FH, HVA, iova, pteWrite, regIoat, s390GuestEvents } from './s390-guest.js';
import { pteValues } from './rpcit-shadow.js';

export const rpcitUserspace: Scenario<undefined> = {
  name: 'rpcit-userspace',
  description: 'the merged design: QEMU maps each refreshed page through VFIO type1 under a budget of L mappings',
  design: 's390-userspace',
  params: {
    G: { default: 2, min: 1, max: 6, help: 'guest data pages' },
    I: { default: 2, min: 1, max: 6, help: 'IOVA pages (page-table entries)' },
    L: { default: 1, min: 1, max: 6, help: 'VFIO mappings the container allows (dma_entry_limit)' },
  },
  setup(p, apply) {
    for (const e of s390GuestEvents({ design: 'userspace', pages: p.I, dmaEntryLimit: p.L })) apply(e);
    apply(regIoat());
    for (let g = 0; g < p.G; g++) apply(ev('guest.mem.write', { vm: 'vm0', gpa: dataGpa(g), data: Uint8Array.of(g + 1) }));
    return undefined;
  },
  choices(w, p: Params): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (let i = 0; i < p.I; i++) for (const v of pteValues(p.G)) out.push(pteWrite(i, v));
    for (let i = 0; i < p.I; i++) out.push(ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(i), len: 0x1000n }));
    out.push(ev('guest.s390.refresh_all', { vm: 'vm0', fh: FH }));
    for (let g = 0; g < p.G; g++) out.push(ev('host.mm.migrate', { mm: 'qemu', hva: HVA + dataGpa(g) }));
    const dom = w.domains.get(w.containers.get('c0')!.iommu!.domain)!;
    for (let i = 0; i < p.I; i++) {
      if (FORMATS[dom.format].translate(w.frames, dom.root, pageOf(iova(i)))) out.push(ev('device.dma.read', { device: 'zpci0', iova: iova(i), len: 8 }));
    }
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'translation-coherence', 'dma-avail-accounting', 'kvm-pin-accounting'],
  covers: [
    { name: 'insufficient-resources', description: "an RPCIT hit QEMU's mapping budget (cc 1 status 16)", hit: (_v, s) => s.event.type === 'guest.s390.rpcit' && s.outcome.code === 'CC1' && s.outcome.value === 16n },
    { name: 'dma-through-shadow', description: 'a device read went through a shadowed entry', hit: (_v, s) => s.event.type === 'device.dma.read' && s.outcome.code === 'OK' },
  ],
  expect: { verdict: 'pass' },
};
