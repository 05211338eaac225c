import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MapUndo } from '../../src/kernel/map-journal.js';
import { freeze, heldJournals, heldWrote, holdSealed, openSealed, resumeSealed, sealedKeysWritten, sealedWritten, sealedWrittenHere } from '../../src/kernel/seal.js';

/** One write: set a key to a value, delete a key, add or delete a set member, or clear either. */
const op = fc.oneof(
  fc.tuple(fc.constant('set' as const), fc.nat({ max: 7 }), fc.nat({ max: 3 })),
  fc.tuple(fc.constant('delete' as const), fc.nat({ max: 7 }), fc.constant(0)),
  fc.tuple(fc.constant('add' as const), fc.nat({ max: 7 }), fc.constant(0)),
  fc.tuple(fc.constant('remove' as const), fc.nat({ max: 7 }), fc.constant(0)),
  fc.tuple(fc.constant('clear' as const), fc.constant(0), fc.constant(0)),
);

function sealed(keys: readonly number[]): { m: Map<number, { v: number }>; s: Set<number> } {
  const m = new Map(keys.map((k) => [k, { v: k }] as const));
  const s = new Set(keys);
  freeze(m, 'pins');
  freeze(s, 'vms');
  return { m, s };
}

function run(m: Map<number, { v: number }>, s: Set<number>, ops: readonly (readonly [string, number, number])[]): void {
  for (const [kind, k, v] of ops) {
    if (kind === 'set') m.set(k, { v });
    else if (kind === 'delete') m.delete(k);
    else if (kind === 'add') s.add(k);
    else if (kind === 'remove') s.delete(k);
    else if (k % 2 === 0) m.clear();
    else s.clear();
  }
}

describe('writes to sealed maps made in place', () => {
  it.prop([fc.uniqueArray(fc.nat({ max: 7 })), fc.array(op, { maxLength: 20 })])('should be undone to the same entries in the same order', (keys, ops) => {
    const { m, s } = sealed(keys);
    const before = [[...m.entries()], [...s]];
    const j = new MapUndo();
    openSealed(j);
    try {
      run(m, s, ops);
    } finally {
      j.undo();
      openSealed(undefined);
    }
    expect([[...m.entries()], [...s]]).toEqual(before);
  });

  it.prop([fc.uniqueArray(fc.nat({ max: 7 })), fc.array(op, { maxLength: 20 })])('should be kept by a commit exactly as a plain map would have them, new values sealed', (keys, ops) => {
    const plain = { m: new Map(keys.map((k) => [k, { v: k }] as const)), s: new Set(keys) };
    run(plain.m, plain.s, ops);
    const { m, s } = sealed(keys);
    const j = new MapUndo();
    openSealed(j);
    try {
      run(m, s, ops);
      j.commit();
    } finally {
      openSealed(undefined);
    }
    expect([[...m.entries()], [...s]]).toEqual([[...plain.m.entries()], [...plain.s]]);
    for (const x of m.values()) expect(Object.isFrozen(x)).toBe(true);
  });

  it.prop([fc.uniqueArray(fc.nat({ max: 7 })), fc.array(op, { maxLength: 20 })])(
    'should tell each key written once, with what it held before the move, and every key that may differ from before',
    (keys, ops) => {
      const { m, s } = sealed(keys);
      const before = { m: new Map(m), s: new Set(s) };
      const j = new MapUndo();
      openSealed(j);
      try {
        run(m, s, ops);
        const told = { m: [] as unknown[], s: [] as unknown[] };
        expect(sealedKeysWritten(m, 64, (k, had, old) => {
          told.m.push(k);
          expect([had, old]).toEqual([before.m.has(k as number), before.m.get(k as number)]);
        })).toBe(true);
        expect(sealedKeysWritten(s, 64, (k, had) => {
          told.s.push(k);
          expect(had).toBe(before.s.has(k as number));
        })).toBe(true);
        // every key: told once, and told exactly when it may differ from before.
        expect(new Set(told.m).size).toBe(told.m.length);
        expect(new Set(told.s).size).toBe(told.s.length);
        for (let k = 0; k <= 7; k++) {
          if (m.get(k) !== before.m.get(k) || m.has(k) !== before.m.has(k)) expect(told.m).toContain(k);
          if (s.has(k) !== before.s.has(k)) expect(told.s).toContain(k);
        }
        const writes = ops.filter(([kind]) => kind === 'set').length;
        if (writes > 1) expect(sealedKeysWritten(m, 0, () => expect.unreachable())).toBe(false);
      } finally {
        j.undo();
        openSealed(undefined);
      }
      expect(sealedKeysWritten(m, 64, () => undefined)).toBe(false);
    },
  );

  it('should say which part was written, and refuse writes with no journal open', () => {
    const { m, s } = sealed([1, 2]);
    const j = new MapUndo();
    openSealed(j);
    m.set(1, m.get(1)!); // the same value: not a write
    s.add(2);
    expect([sealedWritten('pins'), sealedWritten('vms')]).toEqual([0, 0]);
    m.set(3, { v: 3 });
    expect([sealedWritten('pins'), sealedWritten('vms')]).toEqual([2, 0]);
    expect([sealedWrittenHere(m), sealedWrittenHere(s)]).toEqual([2, 0]);
    // held under another journal's move: written, but only by a held one (its content stands while held).
    const held = heldJournals();
    holdSealed();
    expect(heldJournals()).not.toBe(held);
    const top = new MapUndo();
    openSealed(top);
    expect([sealedWritten('pins'), sealedWrittenHere(m), sealedWrittenHere(s)]).toEqual([1, 1, 0]);
    expect([heldWrote(m), heldWrote(s)]).toEqual([true, false]);
    s.add(9);
    expect([sealedWritten('vms'), sealedWrittenHere(s), sealedWrittenHere(m)]).toEqual([2, 2, 1]);
    expect(() => resumeSealed(j)).toThrow(/resumes only/);
    top.undo();
    openSealed(undefined);
    resumeSealed(j);
    expect(heldJournals()).toBe(0);
    j.undo();
    openSealed(undefined);
    expect([...s]).toEqual([1, 2]);
    expect(() => m.set(4, { v: 4 })).toThrow(TypeError);
    expect(() => s.delete(1)).toThrow(TypeError);
    expect([...m.keys()]).toEqual([1, 2]);
  });
});
