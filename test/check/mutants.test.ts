/** Every seeded fault is found, with a counterexample that vkm replay reproduces from its log. */
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../faults/index.js';
import { counterexampleLines, runCheck } from '../../src/check/run.js';
import { DEFAULT_RUNS } from '../../src/check/scenarios/index.js';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';

describe('seeded faults', () => {
  it.each(FAULTS.map((f) => [f.design.name, f] as const))('%s should be found by its property, and its log should replay to the same violation', (_name, f) => {
    const r = runCheck({ scenario: f.scenario, params: f.params ?? {}, variant: f.design.name, expect: { verdict: 'violation', property: f.property } });
    expect(r.verdict).toBe('violation');
    expect(r.asExpected).toBe(true);
    const v = r.result.violations.find((x) => x.property === f.property)!;
    const log = readLog(counterexampleLines(v.trace).join('\n'), 'cex.jsonl');
    expect(log.ok).toBe(true);
    if (!log.ok) return;
    const replayed = replay(log.entries);
    expect(replayed.mismatches).toBe(0);
    expect(replayed.violated?.line).toBe(v.trace.length);
    expect(replayed.violated?.violations.map((x) => x.message)).toContain(v.message);
  });

  it('should check clean under its design for every default run expected to pass', () => {
    for (const run of DEFAULT_RUNS.filter((x) => (x.expect?.verdict ?? 'pass') === 'pass')) {
      const r = runCheck({ scenario: run.scenario, params: run.params, variant: run.variant });
      expect([run.scenario, r.verdict, r.result.covers.filter((c) => !c.hit)]).toEqual([run.scenario, 'pass', []]);
    }
  });

  it('should report a shortest counterexample (breadth-first)', () => {
    const f = FAULTS.find((x) => x.design.name === 'type1-unpin-before-unmap')!;
    const r = runCheck({ scenario: f.scenario, params: {}, variant: f.design.name });
    const v = r.result.violations[0];
    // map, then unmap: nothing shorter can leave a translation to an unpinned page.
    expect(v.trace.slice(v.setupLength).map((e) => e.type)).toEqual(['vmm.vfio.dma.map', 'vmm.vfio.dma.unmap']);
  });

  it.each([
    ['sva-migrate-no-invalidate', ['device.dma.write', 'host.mm.migrate']],
    ['stage2-wp-no-fault-path', ['device.dma.write', 'vmm.kvm.dirty_log.enable', 'device.dma.write']],
    ['stage2-zap-pinned', ['host.mm.migrate']],
    ['stage2-flush-cpu-only', ['device.dma.write', 'vmm.kvm.set_user_memory_region']],
    ['stage2-dirty-bits-no-flush', ['vmm.kvm.dirty_log.enable', 'device.dma.write', 'vmm.kvm.dirty_log.get', 'device.dma.write']],
  ])('%s should be found by the shortest sequence that can show it', (name, types) => {
    const f = FAULTS.find((x) => x.design.name === name)!;
    const r = runCheck({ scenario: f.scenario, params: f.params ?? {}, variant: name });
    const v = r.result.violations.find((x) => x.property === f.property)!;
    expect(v.trace.slice(v.setupLength).map((e) => e.type)).toEqual(types);
  });
});
