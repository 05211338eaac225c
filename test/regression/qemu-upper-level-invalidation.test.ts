/**
 * Found by the model: in the userspace design, QEMU's rpcit_service_call coalesces and sends VFIO
 * unmaps only for invalidations at the page-table level (entry.len == TARGET_PAGE_SIZE). When the
 * guest invalidates a whole segment (or region) entry, s390_pci_update_iotlb drops the cache entries
 * without notifying VFIO, so the host IOMMU keeps translating, RPCIT still answers cc 0, and the
 * device can keep reaching the old page. A later re-map of the same IOVA gets EEXIST from type1
 * (QEMU reports and continues), so the device keeps using the stale page. The kvm-shadow design
 * does not have this gap. Minimal trace, kept as data.
 */
import { describe, expect, it } from 'vitest';
import { applyChecked } from '../support/checked.js';
import { ev } from '../../src/events/types.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { BUF, IOVA, pte, rpcit, s390World, ST, u64be, write, type Design } from '../s390/fixture.js';

function trace(design: Design) {
  const w = s390World(design);
  const steps = [pte(0, BUF), rpcit(IOVA, 0x1000n), write(ST, u64be(0x20n)) /* STE[0] invalid: the whole segment */, rpcit(IOVA, 0x1000n)].map((e) => applyChecked(w, e));
  const dma = applyEvent(w, ev('device.dma.read', { device: 'zpci0', iova: IOVA, len: 1 })).code;
  return { outcomes: steps.map((s) => s.outcome.code), dma, violations: steps.flatMap((s) => s.violations).map((v) => `${v.property}: ${v.message}`) };
}

describe('upper-level invalidation in the userspace design', () => {
  it('should leave the host translation behind after a cc 0 RPCIT, and translation-coherence should say so', () => {
    const r = trace('userspace');
    expect(r.outcomes).toEqual(['OK', 'CC0', 'OK', 'CC0']);
    expect(r.dma).toBe('OK');
    expect(r.violations).toEqual([expect.stringMatching(/^translation-coherence: function zpci0 IOVA 0x100000000: host maps frame 0x[0-9a-f]+ rw but the guest table gives nothing$/)]);
  });

  it('should not happen in the kvm-shadow design', () => {
    const r = trace('kvm-shadow');
    expect(r.outcomes).toEqual(['OK', 'CC0', 'OK', 'CC0']);
    expect(r.dma).toBe('IOMMU_FAULT_NOT_PRESENT');
    expect(r.violations).toEqual([]);
  });
});
