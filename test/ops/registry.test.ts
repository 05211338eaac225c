/**
 * Registration refuses every name that names nothing, listing the valid names: a misspelt table,
 * op, base design, scenario or property, and a duplicate. A design replaces only the ops it
 * names; the rest are its base's, and the override receives the base op it replaces.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  designNamed, DesignError, ev, opsOf, registerDesign, registerFault, registerProperty, registerScenario, REFERENCE_OPS, requireDesign, runCheck,
  type Scenario,
} from '../../src/index.js';
import { scenarioNamed } from '../../src/check/scenarios/index.js';
import { machineOf } from '../../src/ops/machines.js';
import { TABLES } from '../../machines/index.js';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DesignError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('registerDesign', () => {
  it('should refuse an unknown table, listing the tables', () => {
    const m = refusal(() => registerDesign({ name: 't-bad-table', description: 'x', ops: { vfio_type1: {} } as never }));
    expect(m).toMatch(/unknown ops table "vfio_type1" \(tables: host, mm, vfio, vfio_iommu_type1,/);
  });

  it('should refuse an unknown op, listing the table\'s ops', () => {
    const m = refusal(() => registerDesign({ name: 't-bad-op', description: 'x', ops: { vfio_iommu_type1: { unmap_and_unpin: () => () => undefined } } as never }));
    expect(m).toMatch(/unknown op "vfio_iommu_type1.unmap_and_unpin" \(ops of vfio_iommu_type1: .*unmap_unpin/);
  });

  it('should refuse an unknown base design, listing the designs', () => {
    expect(refusal(() => registerDesign({ name: 't-bad-base', base: 's390-kvm-shadw', description: 'x' }))).toMatch(/unknown base design "s390-kvm-shadw" \(designs: reference, s390-userspace, s390-kvm-shadow/);
  });

  it('should refuse a duplicate name, a bad name, a missing description and an override that is not a function', () => {
    expect(refusal(() => registerDesign({ name: 'liobn-to-group', description: 'again' }))).toMatch(/"liobn-to-group" is already registered/);
    expect(refusal(() => registerDesign({ name: 'Bad Name', description: 'x' }))).toMatch(/kebab-case/);
    expect(refusal(() => registerDesign({ name: 't-no-desc', description: '' }))).toMatch(/needs a description/);
    expect(refusal(() => registerDesign({ name: 't-not-fn', description: 'x', ops: { mm: { migrate: 3 as never } } }))).toMatch(/mm.migrate must be a function/);
    expect(refusal(() => registerDesign({ name: 't-returns', description: 'x', ops: { mm: { migrate: () => 3 as never } } }))).toMatch(/returned number, not a function/);
    // nothing refused was registered.
    expect(['t-bad-table', 't-bad-op', 't-bad-base', 't-no-desc', 't-not-fn', 't-returns'].map(designNamed)).toEqual(Array(6).fill(undefined));
  });

  it('should give an override the op it replaces, and keep every other op of its base', () => {
    let seenBase: unknown;
    const d = registerDesign({ name: 't-wrap', base: 'liobn-to-group', description: 'x', ops: { mm: { migrate: (base) => ((seenBase = base), base) } } });
    expect(seenBase).toBe(REFERENCE_OPS.mm.migrate);
    expect(d.ops.kvm_spapr_tce.kill_groups).toBe(requireDesign('liobn-to-group').ops.kvm_spapr_tce.kill_groups);
    expect(d.ops.vfio).toEqual(REFERENCE_OPS.vfio);
    expect(d.replaced).toEqual(['kvm_spapr_tce.kill_groups', 'machine liobn.bindsContainer', 'mm.migrate']);
    expect(Object.isFrozen(d.ops.mm)).toBe(true);
  });

  it("should provide a design's machine guards to the reducer, keep its base's, and refuse unknown machines and guards", () => {
    // liobn-to-group binds groups; a design on top of it inherits that, and its own guard wins.
    expect(machineOf({ design: 'liobn-to-group' }, 'liobn').step('created', 'BIND').target).toBe('bound-to-groups');
    expect(machineOf({ design: 'liobn-to-container' }, 'liobn').step('created', 'BIND').target).toBe('bound-to-container');
    registerDesign({ name: 't-guard-kept', base: 'liobn-to-group', description: 'x' });
    expect(machineOf({ design: 't-guard-kept' }, 'liobn').step('created', 'BIND').target).toBe('bound-to-groups');
    registerDesign({ name: 't-guard-back', base: 'liobn-to-group', description: 'x', machines: { liobn: { guards: { bindsContainer: () => true } } } });
    expect(machineOf({ design: 't-guard-back' }, 'liobn').step('created', 'BIND').target).toBe('bound-to-container');
    // the reference's tables are the shared ones, untouched.
    expect(machineOf({ design: 'reference' }, 'liobn')).toBe(TABLES.liobn);
    expect(refusal(() => registerDesign({ name: 't-bad-machine', description: 'x', machines: { lioben: {} } as never }))).toMatch(/unknown machine "lioben" \(machines: .*liobn/);
    expect(refusal(() => registerDesign({ name: 't-bad-guard', description: 'x', machines: { liobn: { guards: { bindContainer: () => true } } } }))).toMatch(/unknown guard "bindContainer" of machine liobn \(guards: bindsContainer\)/);
    expect(refusal(() => registerDesign({ name: 't-guard-nofn', description: 'x', machines: { liobn: { guards: { bindsContainer: true as never } } } }))).toMatch(/guard liobn.bindsContainer must be a function/);
    expect(refusal(() => registerDesign({ name: 't-no-guards', description: 'x', machines: { 'page-pin': { guards: { x: () => true } } } }))).toMatch(/guards: none/);
    expect(refusal(() => registerDesign({ name: 't-states', description: 'x', machines: { liobn: { states: {} } as never } }))).toMatch(/takes guards and actions, not "states"/);
    expect(refusal(() => registerDesign({ name: 't-bad-action', description: 'x', machines: { liobn: { actions: { unbind: () => {} } } } }))).toMatch(/unknown action "unbind" of machine liobn \(actions: unbindAll\)/);
    expect(refusal(() => registerDesign({ name: 't-action-nofn', description: 'x', machines: { liobn: { actions: { unbindAll: 1 as never } } } }))).toMatch(/action liobn.unbindAll must be a function/);
    expect(['t-bad-machine', 't-bad-guard', 't-guard-nofn', 't-no-guards', 't-states', 't-bad-action', 't-action-nofn'].map(designNamed)).toEqual(Array(7).fill(undefined));
  });

  it('should run an action a design provides on each transition naming it, with the object and the step, never on a refusal', () => {
    const calls: string[] = [];
    registerDesign({
      name: 't-unbind-all-seen', base: 'liobn-to-container', description: 'x',
      machines: { liobn: { actions: { unbindAll: (_w, x) => void calls.push(`${x.subject} ${x.from} ${x.event} ${x.to}`) } } },
    });
    const w = runCheck({ scenario: 'spapr-lifecycle', params: { T: 1 }, variant: 't-unbind-all-seen' }, { preemptions: 0 });
    expect(w.verdict).toBe('pass');
    // the table is closed while bound in some orders: each such close ran the action once, on table t.
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(calls)).toEqual(new Set(['t bound-to-container CLOSE destroyed']));
  });

  it('should find a fault planted as a machine action: the notifier\'s register takes a kvm reference it never puts', () => {
    registerDesign({
      name: 't-register-leaks', base: 'kvm-association-notifier', description: 'the SET_KVM notifier takes a kvm reference at register',
      machines: { 'set-kvm-notifier': { actions: { register: (w, x) => opsOf(w).kvm.get_kvm(w, w.devices.get(x.subject)!.kzdev!.kvm) } } },
    });
    const r = runCheck({ scenario: 'zpci-teardown', params: { A: 1 }, variant: 't-register-leaks' }, { maxStates: 100_000 });
    expect(r.verdict).toBe('violation');
    expect(r.result.violations.map((v) => v.property)).toContain('teardown-complete');
  });

  it('should make every op an override replaces the one all callers reach (opsOf)', () => {
    const markers = new Map<string, () => undefined>();
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(REFERENCE_OPS) as (keyof typeof REFERENCE_OPS)[])), fc.nat(), (table, k) => {
        const ops = Object.keys(REFERENCE_OPS[table]);
        const op = ops[k % ops.length];
        const name = `t-any-${table.replace(/_/g, '-')}-${op.replace(/_/g, '-')}`;
        if (!markers.has(name)) markers.set(name, () => undefined);
        const marker = markers.get(name)!;
        const d = designNamed(name) ?? registerDesign({ name, description: 'x', ops: { [table]: { [op]: () => marker } } });
        expect((opsOf({ design: d.name })[table] as unknown as Record<string, unknown>)[op]).toBe(marker);
        for (const other of ops) if (other !== op) expect((opsOf({ design: d.name })[table] as unknown as Record<string, unknown>)[other]).toBe((REFERENCE_OPS[table] as unknown as Record<string, unknown>)[other]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('registerFault, registerScenario and registerProperty', () => {
  const scenario = (over: Partial<Scenario<undefined>>): Scenario<undefined> => ({
    ...scenarioNamed('type1-unmap')!,
    name: 't-scenario',
    ...over,
  });

  it('should refuse a misspelt scenario or property in a fault, listing the valid names', () => {
    expect(refusal(() => registerFault({ name: 't-f1', description: 'x', scenario: 'type1-unmaps', property: 'pin-balance' }))).toMatch(/unknown scenario "type1-unmaps" \(scenarios: rpcit-shadow, /);
    expect(refusal(() => registerFault({ name: 't-f2', description: 'x', scenario: 'type1-unmap', property: 'pin-balanse' }))).toMatch(/unknown property "pin-balanse" \(properties: no-iova-to-unpinned-page, pin-balance,/);
    expect(refusal(() => registerFault({ name: 't-f3', description: 'x', scenario: 'type1-unmap', property: 'no-dangling-kvm' }))).toMatch(/does not check no-dangling-kvm/);
    expect(refusal(() => registerFault({ name: 't-f4', description: 'x', scenario: 'type1-unmap', property: 'pin-balance', params: { Q: 1 } }))).toMatch(/has no parameter Q/);
  });

  it('should refuse a scenario naming an unknown design or property, or a taken name', () => {
    expect(refusal(() => registerScenario(scenario({ design: 'refrence' })))).toMatch(/unknown design "refrence" \(designs: reference,/);
    expect(refusal(() => registerScenario(scenario({ properties: ['pin-balanse'] })))).toMatch(/unknown property "pin-balanse" \(properties: /);
    expect(refusal(() => registerScenario(scenario({ name: 'type1-unmap' })))).toMatch(/already registered/);
    expect(refusal(() => registerScenario(scenario({ params: { I: { default: 9, min: 1, max: 4, help: '' } } })))).toMatch(/min <= default <= max/);
    expect(scenarioNamed('t-scenario')).toBeUndefined();
  });

  it('should refuse a property with a taken name, an unknown kind or no check', () => {
    expect(refusal(() => registerProperty({ name: 'pin-balance', kind: 'invariant', description: 'x', check: () => [] }))).toMatch(/already registered/);
    expect(refusal(() => registerProperty({ name: 't-kind', kind: 'always', description: 'x', check: () => [] } as never))).toMatch(/kind must be "invariant" or "transition"/);
    expect(refusal(() => registerProperty({ name: 't-pre', kind: 'transition', description: 'x', check: () => [] } as never))).toMatch(/needs a pre function/);
  });

  it('should check a registered scenario and property with a registered design like built-in ones', () => {
    registerProperty({ name: 't-no-maps-left', kind: 'invariant', description: 'x', check: (v) => [...v.w.containers.values()].filter((c) => (c.iommu?.dmas.length ?? 0) > 1).map((c) => ({ property: 't-no-maps-left', message: `${c.id} has two mappings` })) });
    registerScenario(scenario({ name: 't-two-maps', properties: ['t-no-maps-left'], covers: [] }));
    const r = runCheck({ scenario: 't-two-maps', params: {} });
    expect(r.verdict).toBe('violation');
    expect(r.result.violations[0].trace.slice(r.result.violations[0].setupLength).map((e) => e.type)).toEqual(['vmm.vfio.dma.map', 'vmm.vfio.dma.map']);
    expect(ev('host.boot', { arch: 'x86' }).design).toBe('');
  });
});

describe('naming an unknown design anywhere', () => {
  it('should be a DesignError listing the designs, from runCheck and diffDesigns alike', async () => {
    expect(refusal(() => runCheck({ scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-befor-unmap' }))).toMatch(/unknown design "type1-unpin-befor-unmap" \(designs: reference,/);
    const { diffDesigns } = await import('../../src/index.js');
    expect(refusal(() => diffDesigns({ scenario: 'type1-unmap', variant: 'nope' }))).toMatch(/unknown design "nope"/);
  });
});
