import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { liveStep, machineEvents } from '../../machines/compile.js';
import { MACHINES, TABLES, type MachineName } from '../../machines/index.js';
import '../../src/designs/index.js';
import '../../faults/index.js';
import { designNames, requireDesign } from '../../src/ops/registry.js';
import { designMachine, machineOf } from '../../src/ops/machines.js';

const names = Object.keys(MACHINES) as MachineName[];
/** Every (design, machine) a built-in design or fault provides guards for (actions leave the table as it is). */
const provided = designNames().flatMap((d) => Object.entries(requireDesign(d).machines).filter(([, o]) => o?.guards).map(([m]) => [d, m as MachineName] as const));

describe('compiled machine tables', () => {
  it.each(names)('should agree with xstate transition() on every (state, event) pair of %s', (name) => {
    const machine = MACHINES[name];
    const table = TABLES[name];
    let pairs = 0;
    for (const s of table.states) {
      for (const e of machineEvents(machine)) {
        expect(table.step(s, e), `${name} ${s} ${e}`).toEqual(liveStep(machine, s, e));
        pairs++;
      }
    }
    expect(pairs).toBe(table.states.length * table.events.length);
  });

  it.each(provided)('should agree with xstate transition() on every pair of %s\'s %s, as the design provides it', (design, name) => {
    const machine = designMachine(design, name);
    const table = machineOf({ design }, name);
    expect(table).not.toBe(TABLES[name]);
    for (const s of table.states) for (const e of machineEvents(machine)) expect(table.step(s, e), `${design} ${name} ${s} ${e}`).toEqual(liveStep(machine, s, e));
  });

  it.each(names)('should reach every state of %s from the initial state, under the reference or a design that provides its guards', (name) => {
    const reached = new Set<string>();
    for (const machine of [MACHINES[name] as AnyStateMachine, ...provided.filter(([, m]) => m === name).map(([d]) => designMachine(d, name))]) {
      const events = machineEvents(machine).map((type) => ({ type }));
      for (const p of getShortestPaths(machine, { events })) reached.add(String(p.state.value));
    }
    expect([...reached].sort()).toEqual([...TABLES[name].states].sort());
  });

  it('should let a design choose through its guards: the LIOBN binding, and who may map a KVM-owned domain', () => {
    expect(machineOf({ design: 'liobn-to-container' }, 'liobn').step('created', 'BIND').target).toBe('bound-to-container');
    expect(machineOf({ design: 'liobn-to-group' }, 'liobn').step('created', 'BIND').target).toBe('bound-to-groups');
    expect(machineOf({ design: 'kvm-owned-domain' }, 'domain-owner').step('kvm', 'USER_MAP').code).toBe('EINVAL');
    expect(machineOf({ design: 'kvm-domain-lent-out' }, 'domain-owner').step('kvm', 'USER_MAP')).toEqual({ target: 'kvm', actions: [] });
  });

  it('should refuse with the kernel code where the rules say so', () => {
    expect(TABLES['vfio-group'].step('open', 'OPEN').code).toBe('EBUSY');
    expect(TABLES['vfio-group'].step('in-use', 'UNSET_CONTAINER').code).toBe('EBUSY');
    expect(TABLES['vfio-group'].step('open', 'UNSET_CONTAINER').code).toBe('EINVAL');
    expect(TABLES['vfio-container'].step('empty', 'SET_IOMMU').code).toBe('EINVAL');
    expect(TABLES['vfio-container'].step('active', 'SET_IOMMU').code).toBe('EINVAL');
    expect(TABLES['vfio-container'].step('released', 'IOMMU_IOCTL').code).toBe('EBADF');
    expect(TABLES['iommu-domain'].step('default-kernel', 'CLAIM').code).toBe('EPERM');
    expect(TABLES['vfio-device'].step('closed', 'OPEN_FIRST')).toEqual({ target: 'open', actions: ['openDevice'] });
    expect(TABLES.liobn.step('destroyed', 'BIND').code).toBe('EBADF');
    expect(TABLES['page-pin'].step('pinned', 'MIGRATE').code).toBe('EBUSY');
    expect(TABLES['page-pin'].step('unpinned', 'MIGRATE')).toEqual({ target: 'unpinned', actions: ['move'] });
    expect(TABLES['page-pin'].step('unpinned', 'UNPIN_UNDERFLOW')).toEqual({ target: 'underflow', actions: ['warnUnderflow'] });
    expect(TABLES['domain-owner'].step('lent', 'USER_MAP').code).toBe('EINVAL');
    expect(TABLES['set-kvm-notifier'].step('kvm-set', 'VM_DESTROYED').target).toBe('dangling');
    expect(TABLES['kvm-association'].step('kvm-set', 'SET_KVM_NULL').target).toBe('kvm-set');
  });

  it('should throw for an event a machine does not know (a model bug, not input)', () => {
    expect(() => TABLES['vfio-group'].step('open', 'NOPE')).toThrow(/no step/);
  });
});
