/**
 * rpcit-ranges(U): RPCIT over ranges, not single pages. The guest registers IOVA pages 254..257,
 * whose entries sit in two page tables (the 1 MiB segment boundary falls between 255 and 256);
 * it points entries 255 and 256 at its data page or invalidates them, and refreshes the lower
 * half, the two pages across the boundary, the upper half or the whole range. A refresh that
 * handles only part of its range, or stops at the table boundary, leaves the host table stale.
 * Meanwhile the device reads and writes across the boundary, the guest reads its page, the VMM
 * writes it and gains CAP_IPC_LOCK. U = 0 is the kvm-shadow design, U = 1 the userspace one.
 */
import { ev, type ModelEvent } from '../../events/types.js';
import type { Scenario } from '../scenario.js';
import { dataGpa, FH, HVA, iova, pteWrite, PTE_INVALID, regIoat, s390GuestEvents } from './s390-guest.js';

const FIRST = 254;
const PAGES = 4;
const rpcit = (from: number, pages: number) => ev('guest.s390.rpcit', { vm: 'vm0', fh: FH, iova: iova(from), len: BigInt(pages) * 0x1000n });

export const rpcitRanges: Scenario<undefined> = {
  name: 'rpcit-ranges',
  description: 'multi-page RPCIT ranges across a page-table boundary, in both designs',
  design: 's390-kvm-shadow',
  params: { U: { default: 0, min: 0, max: 1, help: 'RPCIT design: 0 kvm-shadow, 1 userspace' } },
  setup(p, apply) {
    for (const e of s390GuestEvents({ design: p.U ? 'userspace' : 'kvm-shadow', pages: PAGES, firstPage: FIRST })) apply(e);
    apply(regIoat());
    // the outer entries map the data page from the start; the two at the boundary change.
    apply(pteWrite(FIRST, dataGpa(0)));
    apply(pteWrite(FIRST + 3, dataGpa(0)));
    apply(ev('guest.mem.write', { vm: 'vm0', gpa: dataGpa(0), data: Uint8Array.of(1) }));
    return undefined;
  },
  choices(): ModelEvent[] {
    const out: ModelEvent[] = [];
    for (const i of [FIRST + 1, FIRST + 2]) out.push(pteWrite(i, dataGpa(0)), pteWrite(i, PTE_INVALID));
    out.push(rpcit(FIRST, 2), rpcit(FIRST + 1, 2), rpcit(FIRST + 2, 2), rpcit(FIRST, PAGES));
    out.push(ev('device.dma.read', { device: 'zpci0', iova: iova(FIRST + 1), len: 8 }));
    // one access that spans the boundary: both halves must translate.
    out.push(ev('device.dma.write', { device: 'zpci0', iova: iova(FIRST + 2) - 4n, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }));
    out.push(ev('guest.mem.read', { vm: 'vm0', gpa: dataGpa(0), len: 1 }));
    out.push(ev('vmm.mem.write', { mm: 'qemu', hva: HVA + dataGpa(0), data: Uint8Array.of(2) }));
    out.push(ev('host.cap.set', { mm: 'qemu', capIpcLock: true }));
    return out;
  },
  properties: ['no-iova-to-unpinned-page', 'pin-balance', 'locked-vm-accounting', 'locked-vm-limit', 'isolation', 'translation-coherence', 'kvm-pin-accounting', 'dma-avail-accounting'],
  covers: [
    { name: 'crossing-refresh', description: 'a refresh across the page-table boundary succeeded', hit: (_v, s) => s.event.type === 'guest.s390.rpcit' && s.outcome.code === 'CC0' && (s.event as { iova: bigint }).iova === iova(FIRST + 1) },
    { name: 'crossing-dma', description: 'a device write across the boundary went through both tables', hit: (_v, s) => s.event.type === 'device.dma.write' && s.outcome.code === 'OK' },
    { name: 'whole-range', description: 'a refresh of the whole range succeeded', hit: (_v, s) => s.event.type === 'guest.s390.rpcit' && s.outcome.code === 'CC0' && (s.event as { len: bigint }).len === BigInt(PAGES) * 0x1000n },
  ],
  expect: { verdict: 'pass' },
};
