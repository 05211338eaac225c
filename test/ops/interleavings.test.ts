/**
 * Two steps of one op swapped, through the public API, in six ops tables: each is invisible
 * between events (preemptions 0 passes) and found with interleavings on (preemptions 1), by what a
 * device could observe at a step point or by an actor's event run there, with a shortest
 * counterexample whose written log replays to the same violation.
 */
import { describe, expect, it } from 'vitest';
import {
  addrOf, allocFrame, anonOwner, counterexampleLines, diffDesigns, kvmPinsOf, moveFrame, OK, opsOf, pageOf, readHostPte, readLog, registerDesign, replay, runCheck,
  setDomainPte, TCE_PERM_MASK, tcePut, validPte, ZPCI_PTE_INVALID, type DesignSpec,
} from '../../src/index.js';
import { traceSteps, traceText } from '../../src/export/trace.js';
import { toMermaidSequence } from '../../src/export/mermaid.js';

interface Swap {
  readonly spec: DesignSpec;
  readonly scenario: string;
  readonly params?: Record<string, number>;
  readonly property: string;
  /** The explored part of the shortest counterexample: event types, an interrupted one as "type @ actor". */
  readonly shortest: readonly string[];
}

const SWAPS: Swap[] = [
  {
    scenario: 'type1-unmap',
    property: 'no-iova-to-unpinned-page',
    shortest: ['vmm.vfio.dma.map', 'vmm.vfio.dma.unmap @'],
    spec: {
      name: 'swap-type1-unpin-first',
      description: 'vfio_unmap_unpin unpins, then unmaps and syncs',
      ops: {
        vfio_iommu_type1: {
          unmap_unpin: () => (w, t1, dma) => {
            const ops = opsOf(w);
            const dom = w.domains.get(t1.domain)!;
            ops.vfio_iommu_type1.unpin_pages_remote(w, dma);
            ops.iommu.unmap_pages(w, dom, dma.iovaPage, dma.pages);
            ops.iommu.iotlb_sync(w, dom);
          },
        },
      },
    },
  },
  {
    scenario: 'rpcit-shadow',
    // a second pin slot, so an entry can be replaced by another page at all.
    params: { L: 2 },
    property: 'no-iova-to-unpinned-page',
    // another vCPU rewrites the entry during the first refresh: one event fewer than doing it between two.
    shortest: ['guest.mem.write', 'guest.s390.rpcit @ guest.mem.write', 'guest.s390.rpcit @'],
    spec: {
      name: 'swap-shadow-unpin-old-first',
      base: 's390-kvm-shadow',
      description: 'KVM unpins the old page of a replaced entry before it writes the new one',
      ops: {
        zpci_kvm_shadow: {
          shadow_entry: () => (w, x, iovaPage, gpaPage, write) => {
            const ops = opsOf(w);
            const pin = ops.kvm.pin_guest_page(w, x.vm, gpaPage, x.held);
            if ('code' in pin) return pin.code;
            const want = validPte(addrOf(pin.pfn), !write);
            if (readHostPte(w.frames, x.dom.root, iovaPage) === want) return ops.kvm.unpin_guest_page(w, x.vm, pin.pfn, x.held), 'same';
            const old = x.f.shadow.get(iovaPage);
            if (old) ops.kvm.unpin_guest_page(w, x.vm, old.pfn, x.held); // moved up: before the entry points elsewhere
            setDomainPte(w.frames, x.dom, iovaPage, want);
            x.f.shadow.set(iovaPage, { gpaPage, pfn: pin.pfn, write });
            return 'changed';
          },
        },
      },
    },
  },
  {
    scenario: 'stage2-shared',
    params: { S: 1 },
    property: 'no-iova-to-unpinned-page',
    shortest: ['device.dma.write', 'vmm.kvm.set_user_memory_region @'],
    spec: {
      name: 'swap-slot-unpin-before-flush',
      base: 'stage2-shared',
      description: 'a deleted slot of a shared VM is unpinned, then the IOTLB is flushed',
      ops: {
        kvm_stage2_share: {
          slot_removed: () => (w, vm, s) => {
            const pins = vm.shared?.pins;
            if (!pins) return;
            const ops = opsOf(w);
            const held = kvmPinsOf(w, vm);
            for (const [gpaPage, pfn] of [...pins]) {
              if (gpaPage < s.gpaPage || gpaPage >= s.gpaPage + s.pages) continue;
              ops.kvm_mmu.zap_gfn(w, vm, gpaPage);
              pins.delete(gpaPage);
              ops.kvm.unpin_guest_page(w, vm, pfn, held);
            }
            ops.kvm_mmu.flush_remote_tlbs(w, vm);
          },
        },
      },
    },
  },
  {
    scenario: 'sva-pri',
    property: 'iotlb-coherence',
    shortest: ['device.dma.write', 'host.mm.migrate @'],
    spec: {
      name: 'swap-migrate-then-notify',
      base: 'sva-pri',
      description: 'the host moves the page, then runs the mmu notifiers',
      ops: {
        mm: {
          migrate: (base) => (w, e) => {
            const mm = w.mms.get(e.mm);
            const page = pageOf(e.hva);
            const from = mm?.pages.get(page);
            if (!mm || from === undefined || e.pfn !== undefined || opsOf(w).mm.page_pinned(w, from)) return base(w, e);
            moveFrame(w, mm, page, from, allocFrame(w.frames, anonOwner(mm.id))); // the move first
            opsOf(w).mm.invalidate_range(w, mm, page); // then the notifiers
            return OK;
          },
        },
      },
    },
  },
  {
    scenario: 'liobn-binding',
    property: 'container-coherence',
    shortest: ['guest.spapr.h_put_tce', 'guest.spapr.h_put_tce @ device.dma.read'],
    spec: {
      name: 'swap-tce-kill-first',
      base: 'liobn-to-container',
      description: "KVM's TCE update kills the caches, then writes the hardware entries",
      ops: {
        kvm_spapr_tce: {
          put_everywhere: () => (w, vm, t, targets, ioba, tce) => {
            const ops = opsOf(w);
            const perm = tce & TCE_PERM_MASK;
            for (const x of targets) {
              ops.vfio_iommu_spapr_tce.tce_kill(w, x.kill, Number(ioba >> 12n), 1 << (t.pageShift - 12)); // moved up: the kill first
              const pfns = perm === 0n ? undefined : ops.kvm_spapr_tce.tce_to_frames(w, vm, x, t, tce);
              for (let i = 0; i < 1 << (t.pageShift - x.win.pageShift); i++) {
                ops.vfio_iommu_spapr_tce.set_entry(w, x.c, x.c.spapr!, x.win, ioba + (BigInt(i) << BigInt(x.win.pageShift)), pfns?.[i], perm);
              }
            }
            tcePut(w, t, ioba >> BigInt(t.pageShift), tce);
          },
        },
      },
    },
  },
  {
    scenario: 'zpci-teardown',
    property: 'no-iova-to-unpinned-page',
    shortest: ['vmm.vfio.device.close @'],
    spec: {
      name: 'swap-dereg-unpin-first',
      base: 's390-kvm-shadow',
      description: "IOAT deregistration unpins KVM's shadowed pages before it invalidates their entries",
      ops: {
        zpci_kvm_shadow: {
          deregister_ioat: () => (w, vm, f) => {
            const ops = opsOf(w);
            const held = kvmPinsOf(w, vm);
            const dom = w.domains.get(w.containers.get(f.container)!.iommu!.domain)!;
            for (const s of f.shadow.values()) ops.kvm.unpin_guest_page(w, vm, s.pfn, held); // the pages go first
            for (const page of f.shadow.keys()) setDomainPte(w.frames, dom, page, ZPCI_PTE_INVALID); // then the entries
            f.shadow.clear();
            for (const pfn of f.tablePins.values()) ops.kvm.unpin_guest_page(w, vm, pfn, held);
            f.tablePins.clear();
          },
        },
      },
    },
  },
];

const label = (e: { type: string; step?: { actor?: { type: string } } }) => (e.step ? `${e.type} @${e.step.actor ? ' ' + e.step.actor.type : ''}` : e.type);

describe('a reordering inside one op', () => {
  it.each(SWAPS.map((x) => [x.spec.name, x] as const))('%s: missed between events, found with interleavings, replayed from its log', (_name, x) => {
    const design = registerDesign(x.spec);
    const spec = { scenario: x.scenario, params: x.params ?? {}, variant: design.name };
    // between events the swap changes nothing: no log tells it from its base, and whole events pass.
    expect(diffDesigns({ ...spec, base: x.spec.base }).difference).toBeUndefined();
    expect(runCheck(spec, { preemptions: 0 }).verdict).toBe('pass');

    const r = runCheck(spec, { preemptions: 1 });
    expect(r.verdict).toBe('violation');
    const v = r.result.violations.find((y) => y.property === x.property)!;
    expect(v, r.result.violations.map((y) => y.message).join('\n')).toBeDefined();
    expect(v.trace.slice(v.setupLength).map(label)).toEqual(x.shortest);

    const log = readLog(counterexampleLines(v.trace).join('\n'), 'cex.jsonl');
    expect(log.ok).toBe(true);
    if (!log.ok) return;
    expect(log.entries.at(-1)!.step).toBeDefined();
    const replayed = replay(log.entries);
    expect(replayed.mismatches).toBe(0);
    expect(replayed.violated?.line).toBe(v.trace.length);
    expect(replayed.violated?.violations.map((y) => y.message)).toContain(v.message);
  });
});

describe('an interleaved counterexample as a reviewer reads it', () => {
  it('should show the actor\'s event inside the op, in the text trace and the sequence diagram', () => {
    const r = runCheck({ scenario: 'liobn-binding', params: {}, variant: 'swap-tce-kill-first' }, { preemptions: 1 });
    const v = r.result.violations[0];
    const text = traceText(v.trace, v.setupLength, `${v.property}: ${v.message}`);
    expect(text).toMatch(/ 24\. guest\.spapr\.h_put_tce\(.*\) → H_SUCCESS\n {7}at step point 0 \(kvm_spapr_tce\.put_everywhere: invalidate\): device\.dma\.read\(device=a0, iova=0x0, len=1\) → OK\n/);
    const diagram = toMermaidSequence(traceSteps(v.trace).slice(v.setupLength));
    const lines = diagram.split('\n');
    const call = lines.findIndex((l) => l.includes('->>KVM: 24. guest.spapr.h_put_tce('));
    expect(lines.slice(call + 1, call + 4).map((l) => l.trim().split(':')[0])).toEqual(['Note over KVM', 'Device->>IOMMU', 'IOMMU-->>Device']);
    expect(lines[call + 4].trim()).toMatch(/^KVM-->>Guest: H_SUCCESS/);
  });
});
