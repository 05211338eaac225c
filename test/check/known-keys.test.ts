/**
 * A worker's known keys: a reply leaves a key out only where the parent's visited set holds it,
 * so the cache may forget (another key takes the slot) but must never claim a key it was not
 * told, nor take a key reached by an interleaving for one the visited set holds.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHECKED, IN_TABLE, KnownKeys } from '../../src/check/known-keys.js';

/** Few distinct keys and 16 slots: slots are shared, keys overwrite each other. */
const key = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 40 })).map(([a, b]) => [a * 0x9e3779b1 >>> 0, b] as const);
const op = fc.tuple(key, fc.constantFrom(IN_TABLE, CHECKED));

describe('known keys', () => {
  it('should never say the visited set holds a key only an interleaving reached, nor know a key it was not told', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.array(key, { maxLength: 40 }), (ops, asked) => {
        const k = new KnownKeys(4);
        const told = new Set<string>();
        const inTable = new Set<string>();
        for (const [[hi, lo], tag] of ops) {
          const wasIn = k.inTable(hi, lo);
          k.remember(hi, lo, tag);
          if (hi !== 0 || lo !== 0) {
            // just told: known, and in the table when told so or known so before.
            expect(k.checked(hi, lo)).toBe(true);
            expect(k.inTable(hi, lo)).toBe(tag === IN_TABLE || wasIn);
          }
          told.add(`${hi},${lo}`);
          if (tag === IN_TABLE) inTable.add(`${hi},${lo}`);
        }
        for (const [hi, lo] of [...asked, ...ops.map(([x]) => x)]) {
          if (k.checked(hi, lo)) expect(told.has(`${hi},${lo}`)).toBe(true);
          if (k.inTable(hi, lo)) expect(inTable.has(`${hi},${lo}`)).toBe(true);
        }
        expect(k.checked(0, 0)).toBe(false);
      }),
    );
  });
});
