import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINES, TABLES, type MachineName } from '../../machines/index.js';
import { machinePaths } from '../../machines/paths.js';
import { scenarioNamed } from '../../src/check/scenarios/index.js';
import { simulate } from '../../src/check/simulate.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld } from '../../src/model/world.js';
import '../../faults/index.js';
import { designNames, requireDesign } from '../../src/ops/registry.js';
import { designMachine, machineOf } from '../../src/ops/machines.js';

describe('vkm simulate', () => {
  it('should find a seeded fault, shrink it, and give a trace that fails again when replayed', () => {
    const s = scenarioNamed('rpcit-shadow')!;
    const r = simulate(s, { G: 2, I: 2, L: 1 }, { seed: 7, runs: 200, steps: 100, variant: 'kvm-double-unpin' });
    expect(r.failed).toBe(true);
    expect(r.violations!.map((v) => v.property)).toContain('pin-balance');
    // shrinking reaches the breadth-first minimum: write a PTE, refresh, refresh again.
    expect(r.trace!.length - r.setupLength!).toBe(3);
    const again = simulate(s, { G: 2, I: 2, L: 1 }, { seed: 7, runs: 200, steps: 100, variant: 'kvm-double-unpin', path: r.path });
    expect(again.failed).toBe(true);
    const w = emptyWorld();
    for (const e of r.trace!) applyEvent(w, e);
  });

  it('should report no violation for the reference design', () => {
    const r = simulate(scenarioNamed('rpcit-shadow')!, { G: 2, I: 2, L: 1 }, { seed: 3, runs: 20, steps: 100 });
    expect(r).toMatchObject({ failed: false, runs: 20 });
  });
});

describe('vkm paths', () => {
  it.each(Object.keys(MACHINES) as MachineName[])('%s: every state gets a path (under the reference or a design that provides its guards) and every (state, event) pair a test', (name) => {
    const versions = [undefined, ...designNames().filter((d) => requireDesign(d).machines[name]?.guards)];
    const reached = new Set<string>();
    for (const design of versions) {
      const machine = design ? designMachine(design, name) : MACHINES[name];
      const t = design ? machineOf({ design }, name) : TABLES[name];
      const paths = machinePaths(machine, t);
      const states = paths.filter((p) => p.kind === 'state').map((p) => p.target);
      for (const x of states) reached.add(x);
      expect(paths.filter((p) => p.kind === 'transition').length).toBe(states.length * t.events.length);
      checkTransitions(paths, t);
    }
    expect([...reached].sort()).toEqual([...TABLES[name].states].sort());
  });
});

/** Following each transition test's events through the table ends where its description says. */
function checkTransitions(paths: ReturnType<typeof machinePaths>, t: (typeof TABLES)[MachineName]): void {
  {
    for (const p of paths.filter((x) => x.kind === 'transition')) {
      let state = t.initial;
      let code: string | undefined;
      for (const e of p.events) {
        const st = t.step(state, e);
        code = st.code;
        state = st.target;
      }
      expect(p.target).toBe(code ? `${p.target.split(' ')[0]} (refused ${code})` : p.target);
      if (!code) expect(p.target.endsWith(`--> ${state}`)).toBe(true);
    }
  }
}

describe('library API', () => {
  it('should find the user-defined variant written as the README shows', () => {
    const out = execFileSync('node', [join(import.meta.dirname, '../../examples/user-variant.mjs')], { encoding: 'utf8' });
    expect(out).toMatch(/^violation .*pin-balance/);
  });
});
