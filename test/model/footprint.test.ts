import { describe, expect, it } from 'vitest';
import { ev } from '../../src/events/types.js';
import { footprintOf } from '../../src/kernel/footprint.js';
import { parseRefusal, refusedPaths } from '../../src/kernel/footprint-refusal.js';
import { applyForked } from '../../src/kernel/fork.js';
import { applyInPlace, WorldJournal } from '../../src/kernel/in-place.js';
import { refusedTarget, sealWorld } from '../../src/kernel/seal.js';
import { digest } from '../../src/model/digest.js';
import { cloneWorld, type World } from '../../src/model/world.js';
import type { Outcome } from '../../src/model/outcome.js';
import { setupWorld } from '../support/fixture.js';

/** The TypeError `fn` throws (strict mode: a write to frozen data throws). */
function thrown(fn: () => void): TypeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TypeError) return err;
    throw err;
  }
  throw new Error('nothing was thrown');
}

const OK: Outcome = { code: 'OK' };
const anyEvent = ev('host.rlimit.set', { mm: 'qemu', memlock: 0n });
/** A footprint of its own per test: footprints are learned per process. */
const fresh = (what: string) => `test.footprint.${what}.${Math.random()}`;

/** `run` applied in place to the sealed `w` under footprint `type`: equal to a full copy, and undone to `w` as it was. */
function inPlaceAsCopy(w: World, type: string, run: (x: World) => Outcome, check?: (x: World) => void): void {
  const full = cloneWorld(w);
  run(full);
  const before = digest(w);
  const j = new WorldJournal(true);
  applyInPlace(w, j, anyEvent, run as never, type);
  try {
    expect(digest(w)).toBe(digest(full));
    check?.(w);
  } finally {
    j.undo();
  }
  expect(digest(w)).toBe(before);
}

describe('footprints learned from refused writes', () => {
  it("should read V8's refusals of frozen records and arrays", () => {
    const rec = Object.freeze({ lc: 'open' }) as { lc: string; x?: number };
    const arr = Object.freeze([1, 2]) as number[];
    expect(parseRefusal(thrown(() => (rec.lc = 'open')).message)).toEqual({ kind: 'has', prop: 'lc', arrays: false });
    expect(parseRefusal(thrown(() => delete (rec as { lc?: string }).lc).message)).toEqual({ kind: 'has', prop: 'lc', arrays: false });
    expect(parseRefusal(thrown(() => (rec.x = 1)).message)).toEqual({ kind: 'lacks', prop: 'x', arrays: false });
    expect(parseRefusal(thrown(() => arr.push(3)).message)).toEqual({ kind: 'lacks', prop: '2', arrays: true });
    expect(parseRefusal(thrown(() => arr.pop()).message)).toEqual({ kind: 'has', prop: '1', arrays: true });
    expect(parseRefusal(thrown(() => (arr[0] = 1)).message)).toEqual({ kind: 'has', prop: '0', arrays: true });
    expect(parseRefusal('x is not a function')).toBeUndefined();
  });

  it('should find every frozen record the refusal fits, and the very map a sealed map refusal names', () => {
    const w = sealWorld(setupWorld(64));
    const vm = w.vms.get('vm0')!;
    const byField = refusedPaths(w, thrown(() => ((vm as { lc: string }).lc = vm.lc)));
    // every record holding an 'lc': the VM, the groups, the containers...; each path once.
    expect(byField.get('vms')).toEqual([{ steps: ['*'], keepable: [true] }]);
    expect(byField.get('groups')?.length).toBe(1);
    expect(byField.has('mms')).toBe(false);
    const bySlot = refusedPaths(w, thrown(() => vm.slots.push(vm.slots[0])));
    expect(bySlot.get('vms')).toEqual([{ steps: ['*', 'slots'], keepable: [true, true] }]);
    const pages = w.mms.get('qemu')!.pages;
    const err = thrown(() => pages.set(1, 2));
    expect(refusedTarget(err)).toBe(pages);
    expect([...refusedPaths(w, err)]).toEqual([['mms', [{ steps: ['*', 'pages'], keepable: [true, false] }]]]);
    expect(refusedPaths(w, new TypeError('x is not a function')).size).toBe(0);
  });

  it('should learn where a write of the value a field holds lands, rather than copy every map for good', () => {
    const w = sealWorld(setupWorld(64));
    const type = fresh('equal');
    const groups = w.groups;
    // locked_vm charged and given back within one op: nothing differs afterwards.
    const run = (x: World): Outcome => {
      const mm = x.mms.get('qemu')!;
      mm.lockedVm += 1;
      mm.lockedVm -= 1;
      return OK;
    };
    // the first move is refused on the shared data and applied to a full copy, which teaches the footprint.
    inPlaceAsCopy(w, type, run);
    for (let k = 0; k < 2; k++) inPlaceAsCopy(w, type, run, (x) => expect(x.groups).toBe(groups));
    const learned = footprintOf(type);
    expect(learned).not.toBe('all');
    expect(learned !== 'all' && [...learned.keys()]).toEqual(['mms']);
  });

  it('should learn the map a fork wrote in a record it then removed', () => {
    const w = sealWorld(setupWorld(64));
    const type = fresh('removed');
    // a map written, then the record holding it dropped: the maps before and after differ only by the record.
    const run = (x: World): Outcome => {
      x.mms.get('qemu')!.pages.set(7, 7);
      x.mms.delete('qemu');
      return OK;
    };
    const full = cloneWorld(w);
    run(full);
    for (let k = 0; k < 3; k++) expect(digest(applyForked(w, anyEvent, run as never, type).world)).toBe(digest(full));
    const learned = footprintOf(type);
    expect(learned).not.toBe('all');
  });

  it("should keep a list of records in place when a move writes only the sets below it, and copy it once one assigns an element", () => {
    const base = setupWorld(64);
    const slot0 = base.vms.get('vm0')!.slots[0];
    (slot0 as { written?: Set<number> }).written = new Set([1]);
    const w = sealWorld(base);
    const vm = w.vms.get('vm0')!;
    const type = fresh('list');
    const note = (x: World): Outcome => {
      x.vms.get('vm0')!.slots[0].written!.add(2);
      return OK;
    };
    // a fork copies the set, so it learns a shape down to it; in place the set is written where it is.
    applyForked(w, anyEvent, note as never, type);
    inPlaceAsCopy(w, type, note, (x) => {
      expect(x.vms.get('vm0')).toBe(vm);
      expect(x.vms.get('vm0')!.slots).toBe(vm.slots);
    });
    const assign = (x: World): Outcome => {
      const slots = x.vms.get('vm0')!.slots;
      slots[0] = { ...slots[0], flags: slots[0].flags };
      return OK;
    };
    for (let k = 0; k < 2; k++) inPlaceAsCopy(w, type, assign, (x) => expect(x.vms.get('vm0')!.slots).not.toBe(vm.slots));
    expect(footprintOf(type)).not.toBe('all');
  });
});
