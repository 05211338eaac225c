import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { isOutcomeCode } from '../../src/model/codes.js';
import { digest } from '../../src/model/digest.js';
import { applyEvent, reduce } from '../../src/model/reduce.js';
import { cloneWorld, emptyWorld } from '../../src/model/world.js';
import { anyEvent } from '../support/arbitraries.js';
import { setupWorld } from '../support/fixture.js';


describe('reduce on arbitrary events', () => {
  it.prop([fc.boolean(), fc.array(anyEvent, { maxLength: 40 })], { numRuns: 150 })(
    'should never throw, answer with a real code, and change nothing when it refuses',
    (fromSetup, events) => {
      const w = fromSetup ? setupWorld(64) : emptyWorld();
      for (const e of events) {
        const before = digest(w);
        const out = applyEvent(w, e);
        expect(isOutcomeCode(out.code), `${e.type} -> ${out.code}`).toBe(true);
        if (out.code !== 'OK') expect(digest(w), `${e.type} refused with ${out.code} but changed state`).toBe(before);
      }
    },
  );

  it.prop([fc.array(anyEvent, { maxLength: 25 })], { numRuns: 60 })('should be pure: reduce leaves its input untouched', (events) => {
    let w = setupWorld(64);
    for (const e of events) {
      const snapshot = digest(w);
      const copy = cloneWorld(w);
      const { state } = reduce(w, e);
      expect(digest(w)).toBe(snapshot);
      expect(digest(state)).toBe(digest((() => { applyEvent(copy, e); return copy; })()));
      w = state;
    }
  });
});
