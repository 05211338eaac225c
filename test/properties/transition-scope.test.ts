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
import type { ModelEvent } from '../../src/events/types.js';
import { cloneWorld, type World } from '../../src/model/world.js';
import { notePre, PROPERTIES, registerProperty, transitionInScope, WorldView, type TransitionProperty } from '../../properties/index.js';
import '../../faults/index.js';

/**
 * A transition property's `on` and `changes` let the checker and replay skip its check on a step
 * out of that scope; they must never skip a step the check finds broken.
 */
const scoped = PROPERTIES.filter((p): p is TransitionProperty => p.kind === 'transition' && (p.on !== undefined || p.changes !== undefined));

/** Every built-in scenario under the reference design, and every seeded fault under its own. */
const setups = [...defaultRuns(), ...FAULTS.map((f) => scenarioRun(scenarioNamed(f.scenario)! as Scenario<unknown>, f.params ?? {}, f.design.name))];

const journal = new WorldJournal();

/**
 * Applies every choice of `before` in place; for each property, a step out of its declared scope
 * must find nothing. Returns the steps in scope that did find something (so a walk is seen not to
 * be vacuous), and the names of properties whose declaration a step broke.
 */
function scopeKept(props: readonly TransitionProperty[], run: ScenarioRun, before: World): { found: number; broken: string[] } {
  const w = sealWorld(cloneWorld(before));
  const pre = notePre(w, props);
  let found = 0;
  const broken: string[] = [];
  for (const e of run.s.choices(w, run.params, run.setup.ctx)) {
    const outcome = applyInPlace(w, journal, e);
    try {
      for (const p of props) {
        const v = p.check(new WorldView(w), { event: e, outcome, pre: pre.get(p.name) });
        if (v.length === 0) continue;
        if (transitionInScope(p, e.type, journal)) found++;
        else broken.push(`${p.name} found ${e.type} broken out of its scope: ${v[0].message}`);
      }
    } finally {
      journal.undo();
    }
  }
  return { found, broken };
}

/** The states along a fault's own counterexample (and its setup), where the properties fail. */
function counterexampleStates(): { run: ScenarioRun; states: World[] }[] {
  return FAULTS.map((f) => {
    const run = scenarioRun(scenarioNamed(f.scenario)! as Scenario<unknown>, f.params ?? {}, f.design.name);
    const r = explore(run.s, run.params, { variant: f.design.name });
    const states = [run.setup.world];
    for (const step of (r.violations[0]?.trace.slice(r.violations[0].setupLength) ?? []) as ModelEvent[]) {
      const next = cloneWorld(states.at(-1)!);
      applyEvent(next, step);
      states.push(next);
    }
    return { run, states };
  });
}

describe('the scope of a transition property (on, changes)', () => {
  it('should be declared where the built-in properties can use one', () => {
    expect(scoped.map((p) => p.name).sort()).toEqual(['locked-vm-limit', 'translation-coherence']);
  });

  it.prop([fc.nat({ max: setups.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 200 })(
    'should hold every step a check finds broken, along random paths of every scenario and seeded fault',
    (which, picks) => {
      const run = setups[which];
      let w = cloneWorld(run.setup.world);
      for (const e of choicePath(run, picks)) {
        expect(scopeKept(scoped, run, w).broken).toEqual([]);
        w = cloneWorld(w);
        applyEvent(w, e);
      }
    },
  );

  it('should hold along each seeded fault\'s counterexample, where the properties fail', () => {
    let found = 0;
    for (const { run, states } of counterexampleStates()) {
      for (const w of states) {
        const r = scopeKept(scoped, run, w);
        expect(r.broken).toEqual([]);
        found += r.found;
      }
    }
    // steps in scope were found broken there: the walk is not vacuous.
    expect(found).toBeGreaterThan(0);
  }, 120_000);

  it('should catch a declaration that leaves out a step its check finds broken', () => {
    const fires = (name: string, scope: Pick<TransitionProperty, 'on' | 'changes'>): TransitionProperty => ({
      name, kind: 'transition', description: 'planted', pre: () => undefined, ...scope,
      // broken by every successful RPCIT, whatever it changed.
      check: (_v, step) => (step.event.type === 'guest.s390.rpcit' && step.outcome.code === 'CC0' ? [{ property: name, message: 'planted' }] : []),
    });
    const run = defaultRuns().find((r) => r.s.name === 'rpcit-shadow')!;
    const wrongOn = fires('scope-wrong-on', { on: ['guest.mem.write'] });
    const wrongChanges = fires('scope-wrong-changes', { changes: ['tceTables'] });
    const right = fires('scope-right', { on: ['guest.s390.rpcit'] });
    const r = scopeKept([wrongOn, wrongChanges, right], run, run.setup.world);
    expect([...new Set(r.broken.map((b) => b.split(' ')[0]))].sort()).toEqual(['scope-wrong-changes', 'scope-wrong-on']);
    expect(r.found).toBeGreaterThan(0);
  });

  it('should refuse a property whose scope names no event type or part of the world', () => {
    const base = { kind: 'transition', description: 'x', pre: () => undefined, check: () => [] } as const;
    expect(() => registerProperty({ ...base, name: 'scope-bogus-on', on: ['guest.bogus' as 'guest.mem.write'] })).toThrow(/on must list event types/);
    expect(() => registerProperty({ ...base, name: 'scope-bogus-changes', changes: ['bogus' as 'vms'] })).toThrow(/changes must list parts of the world/);
  });
});
