import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { explore } from '../../src/check/explore.js';
import { FAULTS } from '../../src/check/faults.js';
import { scenarioNamed } from '../../src/check/scenarios/index.js';
import type { Scenario } from '../../src/check/scenario.js';
import { choicePath, defaultRuns, scenarioRun, type ScenarioRun } from '../support/scenario-paths.js';
import { sealWorld } from '../../src/kernel/seal.js';
import { applyInPlace, WorldJournal } from '../../src/kernel/in-place.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { cloneWorld, type World } from '../../src/model/world.js';
import { ALL_FRAMES } from '../../src/memory/frames.js';
import { PROPERTIES, registerProperty, WorldView, type Invariant } from '../../properties/index.js';
import '../../faults/index.js';
import { TABLE_OWNERS as PACKAGE_TABLE_OWNERS } from '../../src/index.js';

const invariants = PROPERTIES.filter((p): p is Invariant => p.kind === 'invariant' && p.reads !== undefined);

/** Every built-in scenario under the reference design, and every seeded fault under its own. */
const setups = [...defaultRuns(), ...FAULTS.map((f) => scenarioRun(scenarioNamed(f.scenario)! as Scenario<unknown>, f.params ?? {}, f.design.name))];

/** A random path of a run's choices, from its setup world: `fn` sees each state and its successor. */
function walk(which: number, picks: readonly number[], fn: (before: World, after: World) => void): void {
  let w = cloneWorld(setups[which].setup.world);
  for (const e of choicePath(setups[which], picks)) {
    const next = cloneWorld(w);
    applyEvent(next, e);
    fn(w, next);
    w = next;
  }
}

const journal = new WorldJournal();

/**
 * Applies every choice of the state `before` in place and checks that each invariant whose parts
 * the move left alone gives the verdict it gave on `before`; returns how many verdicts changed.
 */
function verdictsKept(run: ScenarioRun, before: World, label: string): number {
  const parent = sealWorld(cloneWorld(before));
  const verdicts = invariants.map((p) => p.check(new WorldView(parent)));
  let changed = 0;
  for (const e of run.s.choices(parent, run.params, run.setup.ctx)) {
    applyInPlace(parent, journal, e);
    try {
      invariants.forEach((p, k) => {
        const now = p.check(new WorldView(parent));
        if (now.length !== verdicts[k].length) changed++;
        // skipped as the checker skips it: frames counted by their owners where the property names them.
        if (!journal.changedAny(p.reads!, undefined, p.frameOwners)) expect(now, `${label}${p.name} after ${e.type}`).toEqual(verdicts[k]);
      });
    } finally {
      journal.undo();
    }
  }
  return changed;
}

describe('what each invariant reads', () => {
  it('should be declared by every built-in invariant', () => {
    expect(PROPERTIES.filter((p) => p.kind === 'invariant' && p.reads === undefined).map((p) => p.name)).toEqual([]);
  });

  it.prop([fc.nat({ max: setups.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 200 })(
    'should include every part of the world the check reads, along random paths of every scenario and seeded fault',
    (which, picks) => {
      walk(which, picks, (_before, w) => {
        for (const p of invariants) {
          const seen = new Set<string>();
          const traced = new Proxy(w, {
            get(t, key) {
              seen.add(String(key));
              return (t as unknown as Record<string | symbol, unknown>)[key];
            },
          });
          p.check(new WorldView(traced));
          for (const part of seen) expect(p.reads, `${p.name} read ${part}`).toContain(part);
        }
      });
    },
  );

  it.prop([fc.nat({ max: setups.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 200 })(
    'should read only frames of the owners it names, along random paths of every scenario and seeded fault',
    (which, picks) => {
      walk(which, picks, (_before, w) => {
        for (const p of invariants) {
          if (p.frameOwners === undefined) continue;
          w.frames.reads = new Set();
          try {
            p.check(new WorldView(w));
          } finally {
            const read = w.frames.reads;
            w.frames.reads = undefined;
            for (const pfn of read) {
              expect(pfn, `${p.name} read every frame`).not.toBe(ALL_FRAMES);
              const owner = w.frames.owner.get(pfn);
              // a frame nobody owns counts as written by every move that writes it: reading one is allowed.
              if (owner !== undefined) expect(p.frameOwners.some((o) => owner.startsWith(o)), `${p.name} read frame ${pfn} of ${owner}`).toBe(true);
            }
          }
        }
      });
    },
  );

  it.prop([fc.nat({ max: setups.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 300 })(
    'should let the checker skip it: a move that changed nothing it reads keeps its verdict, seeded faults\' violations included',
    (which, picks) => {
      const run = setups[which];
      walk(which, picks, (before) => verdictsKept(run, before, ''));
    },
  );

  it('should keep every verdict along each seeded fault\'s own counterexample, where the invariants fail', () => {
    let broken = 0;
    for (const f of FAULTS) {
      const run = scenarioRun(scenarioNamed(f.scenario)! as Scenario<unknown>, f.params ?? {}, f.design.name);
      const r = explore(run.s, run.params, { variant: f.design.name });
      let w = run.setup.world;
      for (const step of r.violations[0]?.trace.slice(r.violations[0].setupLength) ?? []) {
        broken += verdictsKept(run, w, `${f.design.name}: `);
        w = cloneWorld(w);
        applyEvent(w, step);
      }
    }
    // the walk did see verdicts change: the test is not vacuous.
    expect(broken).toBeGreaterThan(0);
  }, 120_000);

  it('should be told for every built-in invariant that reads frames (else a guest\'s store makes it run again)', () => {
    expect(invariants.filter((p) => p.reads!.includes('frames') && p.frameOwners === undefined).map((p) => p.name)).toEqual([]);
  });

  it('should refuse frame owners given without frames, or not as a list of prefixes', () => {
    const base = { kind: 'invariant' as const, description: 'x', check: () => [] };
    expect(() => registerProperty({ ...base, name: 'owners-no-frames', reads: ['vms'], frameOwners: ['iommu:'] })).toThrow(/frameOwners must list/);
    expect(() => registerProperty({ ...base, name: 'owners-empty-prefix', reads: ['frames'], frameOwners: [''] })).toThrow(/frameOwners must list/);
    // what a module author has: the owners every built-in table reader names, from the package.
    expect(registerProperty({ ...base, name: 'owners-tables', reads: ['frames'], frameOwners: PACKAGE_TABLE_OWNERS }).frameOwners).toEqual(['iommu:', 'kvm:']);
  });

  it('should refuse a property that names no part of the world', () => {
    expect(() => registerProperty({ name: 'reads-bogus', kind: 'invariant', description: 'x', reads: ['bogus' as 'vms'], check: () => [] })).toThrow(/reads must list parts of the world/);
  });
});
