/** A counterexample drawn on the machines its design changed, and only those. */
import { describe, expect, it } from 'vitest';
import '../../faults/index.js';
import { runCheck } from '../../src/check/run.js';
import { cexMachineGraphs } from '../../src/export/cex-machines.js';
import { toDot } from '../../src/export/dot.js';

describe('counterexamples on machines', () => {
  it('should draw the lent-flag fault on domain-owner with the steps it took, USER_MAP accepted on a lent domain', () => {
    const r = runCheck({ scenario: 'kvm-domain-lent', params: { F: 1 }, variant: 'kvm-domain-lent-out' }, { preemptions: 0 });
    const [m, ...rest] = cexMachineGraphs(r);
    expect(rest).toEqual([]);
    expect(m.machine).toBe('domain-owner');
    expect(m.steps.map((s) => `${s.from} ${s.event} ${s.code ?? s.to}`)).toEqual(['allocated ALLOC_UNMANAGED userspace', 'userspace LEND lent', 'lent USER_MAP lent']);
    const taken = m.graph.edges.filter((e) => e.taken).map((e) => `${e.from} ${e.label} ${e.to}`);
    expect(taken.sort()).toEqual(['allocated ALLOC_UNMANAGED userspace', 'lent USER_MAP lent', 'userspace LEND lent']);
    expect(toDot(m.graph)).toMatch(/"lent" -> "lent" \[label="USER_MAP", color=red3/);
  });

  it('should draw nothing for a fault that changes ops only, or a run without a violation', () => {
    expect(cexMachineGraphs(runCheck({ scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-before-unmap' }, { preemptions: 0 }))).toEqual([]);
    expect(cexMachineGraphs(runCheck({ scenario: 'liobn-binding', params: {}, variant: 'liobn-to-container' }, { preemptions: 0 }))).toEqual([]);
  });

  it('should draw the flag design itself on domain-owner: a domain userspace mapped is lent again', () => {
    const r = runCheck({ scenario: 'kvm-domain-lent', params: { F: 1 }, variant: 'kvm-domain-lent-flag' }, { preemptions: 0 });
    const [m] = cexMachineGraphs(r);
    expect(m.steps.map((s) => `${s.from} ${s.event} ${s.code ?? s.to}`)).toEqual([
      'allocated ALLOC_UNMANAGED userspace', 'userspace LEND lent', 'lent RETURN userspace', 'userspace USER_MAP userspace', 'userspace LEND lent',
    ]);
  });

  it('should draw the design that changed a machine even where the fault is elsewhere: liobn-to-group binds groups', () => {
    const r = runCheck({ scenario: 'liobn-binding', params: {}, variant: 'liobn-to-group' }, { preemptions: 0 });
    const [m] = cexMachineGraphs(r);
    expect(m.machine).toBe('liobn');
    expect(m.steps.some((s) => s.event === 'BIND' && s.to === 'bound-to-groups')).toBe(true);
  });
});
