import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { liveStep, machineEvents } from '../../machines/compile.js';
import { MACHINES, TABLES, type MachineName } from '../../machines/index.js';

const names = Object.keys(MACHINES) as MachineName[];

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

  it.each(names)('should reach every state of %s from the initial state', (name) => {
    const machine = MACHINES[name] as AnyStateMachine;
    const events = machineEvents(machine).map((type) => ({ type }));
    const paths = getShortestPaths(machine, { events });
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([...TABLES[name].states].sort());
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
  });

  it('should throw for an event a machine does not know (a model bug, not input)', () => {
    expect(() => TABLES['vfio-group'].step('open', 'NOPE')).toThrow(/no step/);
  });
});
