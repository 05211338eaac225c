/**
 * translation-coherence reads a short refresh page by page and a long one through maps of both
 * sides: both must give what a plain comparison of the two sides gives (the guest's translations
 * from guestTranslations, the host's from translate, page by page), host pages first, whatever the
 * guest wrote and whatever a broken design left in the host table.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { propertyNamed } from '../../properties/index.js';
import { WorldView } from '../../properties/view.js';
import { guestTranslations, type Perm } from '../../src/iommu/s390/guest-walk.js';
import { S390_HOST_FORMAT, setDomainPte } from '../../src/iommu/s390/host-table.js';
import { validPte, ZPCI_PTE_INVALID } from '../../src/iommu/s390/layout.js';
import { guestRamPage, guestResolver } from '../../src/kvm/guest-memory.js';
import { addrOf, pageOf } from '../../src/memory/constants.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { findByFh } from '../../src/s390/zpci.js';
import type { World } from '../../src/model/world.js';
import { BUF, FH, IOVA, pte, rpcit, s390World, ST, u64be, write } from '../s390/fixture.js';

const coherence = propertyNamed('translation-coherence')!;

/** What the property must find: every page either side maps, host pages first, each compared as the property says. */
function reference(w: World, iova: bigint, len: bigint): string[] {
  const f = findByFh(w, 'vm0', FH)!;
  const vm = w.vms.get('vm0')!;
  const mm = w.mms.get(vm.mm)!;
  const dom = w.domains.get(w.containers.get(f.container)!.iommu!.domain)!;
  const end = (iova + len) & ((1n << 64n) - 1n);
  const guest = guestTranslations(w.frames, guestResolver(w, vm), f.ioat!.iota, iova, end);
  const host = new Map<bigint, { pfn: number; write: boolean }>();
  for (let p = pageOf(iova); addrOf(p) < end && p - pageOf(iova) < 4096; p++) {
    const t = S390_HOST_FORMAT.translate(w.frames, dom.root, p);
    if (t) host.set(addrOf(p), t);
  }
  const out: string[] = [];
  const hex = (n: number | bigint) => '0x' + n.toString(16);
  const compare = (at: bigint, g: { translated: bigint; perm: Perm } | undefined, h: { pfn: number; write: boolean } | undefined) => {
    const vpage = g ? guestRamPage(w, vm, pageOf(g.translated)) : undefined;
    const want = vpage !== undefined ? mm.pages.get(vpage) : undefined;
    if (h === undefined ? want === undefined : want === h.pfn && h.write === (g?.perm === 'rw')) return;
    const got = h ? `frame ${hex(h.pfn)} ${h.write ? 'rw' : 'ro'}` : 'nothing';
    const expected = want !== undefined ? `frame ${hex(want)} ${g?.perm === 'rw' ? 'rw' : 'ro'}` : 'nothing';
    out.push(`function ${f.id} IOVA ${hex(at)}: host maps ${got} but the guest table gives ${expected}`);
  };
  for (const [at, h] of host) compare(at, guest.get(at), h);
  for (const [at, g] of guest) if (!host.has(at)) compare(at, g, undefined);
  return out;
}

const entry = fc.oneof(
  fc.integer({ min: 0, max: 15 }).map((i) => BUF + BigInt(i) * 0x1000n).chain((p) => fc.constantFrom(p, p | 0x200n, p | 0x400n)),
  fc.constantFrom(0n, 0x400n, 0x20n, ST | 0x7n, 0x4000_0000n),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);
// guest page-table entries (and now and then a segment entry), then host entries a broken design wrote.
const guestWrites = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 15 }), entry), { maxLength: 10 });
const hostWrites = fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0x100, max: 0x400 }), fc.boolean(), fc.boolean()), { maxLength: 6 });
// short refreshes (read page by page) and long ones (through the maps).
const range = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.oneof(fc.integer({ min: 1, max: 16 }), fc.constantFrom(65, 300)));

describe('translation-coherence', () => {
  it.prop([guestWrites, fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 4 }), hostWrites, range], { numRuns: 200 })(
    'should find exactly what a page-by-page comparison of guest and host finds, for short and long refreshes',
    (writes, refreshed, tamper, [first, pages]) => {
      const w = s390World('kvm-shadow');
      for (const [segment, i, v] of writes) applyEvent(w, segment ? write(ST + BigInt(i % 2) * 8n, u64be(v)) : pte(i, v));
      for (const i of refreshed) applyEvent(w, rpcit(IOVA + BigInt(i) * 0x1000n, 0x1000n));
      const event = rpcit(IOVA + BigInt(first) * 0x1000n, BigInt(pages) * 0x1000n);
      const outcome = applyEvent(w, event);
      const f = findByFh(w, 'vm0', FH)!;
      const dom = w.domains.get(w.containers.get(f.container)!.iommu!.domain)!;
      for (const [i, pfn, valid, ro] of tamper) setDomainPte(w.frames, dom, pageOf(IOVA) + i, valid ? validPte(BigInt(pfn) << 12n, ro) : ZPCI_PTE_INVALID);
      const found = coherence.kind === 'transition' ? coherence.check(new WorldView(w), { event, outcome: { ...outcome, code: 'CC0' }, pre: undefined }) : [];
      expect(found.map((v) => v.message)).toEqual(reference(w, event.iova, event.len));
    },
  );

  it('should report a host entry left on another frame, on a short refresh', () => {
    const w = s390World('kvm-shadow');
    applyEvent(w, pte(0, BUF));
    const event = rpcit(IOVA, 0x1000n);
    expect(applyEvent(w, event).code).toBe('CC0');
    const f = findByFh(w, 'vm0', FH)!;
    const dom = w.domains.get(w.containers.get(f.container)!.iommu!.domain)!;
    setDomainPte(w.frames, dom, pageOf(IOVA), validPte(0x300n << 12n, false));
    const found = coherence.kind === 'transition' ? coherence.check(new WorldView(w), { event, outcome: { code: 'CC0' }, pre: undefined }) : [];
    expect(found.map((v) => v.message)).toEqual(reference(w, IOVA, 0x1000n));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/host maps frame 0x300 rw but the guest table gives frame 0x[0-9a-f]+ rw/);
  });
});
