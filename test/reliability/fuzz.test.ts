/**
 * The fuzzer runs in every `npm test`: 20,000 hostile inputs through the public API (event
 * sequences of every type after a valid setup on each architecture, mutated bundled logs,
 * mutated checkpoints) with no exception, no unknown code, no event over its time bound and
 * replays that agree. Planted defects, through the public API, show it is not blind.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/fuzz.js';
import { bundledLogs, sampleCheckpoint } from '../../src/fuzz/main.js';
import { refused, registerDesign } from '../../src/index.js';

const ROOT = join(import.meta.dirname, '../..');
const logs = bundledLogs(ROOT);
const checkpoint = sampleCheckpoint();
const now = () => performance.now();

describe('the fuzzer', () => {
  it('should find nothing in 20,000 hostile inputs', () => {
    const r = fuzz({ n: 20_000, seed: 20261201, logs, checkpoint, now });
    expect(r.failures.map((f) => `${f.kind} ${f.target}: ${f.message}`)).toEqual([]);
    expect(r.inputs).toBe(20_000);
    expect(Math.min(r.byTarget.events, r.byTarget.log, r.byTarget.checkpoint)).toBeGreaterThan(1000);
    expect(r.events).toBeGreaterThan(100_000);
  }, 120_000);

  it('should catch a design that throws, and one that answers a code no kernel has, with a reproducer', () => {
    registerDesign({
      name: 'fuzz-plant-throws',
      description: 'planted: MAP_DMA throws on a 2-page mapping',
      ops: { vfio: { dma_map: (base) => (w, e) => (e.size === 0x2000n ? (() => { throw new Error('planted'); })() : base(w, e)) } },
    });
    registerDesign({
      name: 'fuzz-plant-code',
      description: 'planted: UNMAP_DMA answers a code no kernel has',
      ops: { vfio: { dma_unmap: () => () => refused('EWHAT' as 'EINVAL') } },
    });
    const thrown = fuzz({ n: 3000, seed: 5, logs, checkpoint, now, design: 'fuzz-plant-throws' }).failures;
    expect(thrown.some((f) => f.kind === 'exception' && f.message === 'planted' && f.input.includes('"size":"0x2000"'))).toBe(true);
    const coded = fuzz({ n: 3000, seed: 5, logs, checkpoint, now, design: 'fuzz-plant-code' }).failures;
    expect(coded.some((f) => f.kind === 'unknown-code' && f.message === 'vmm.vfio.dma.unmap answered "EWHAT"')).toBe(true);
  });

  it('should call an event slower than its bound a failure', () => {
    let t = 0;
    // a clock where every event takes 3 s.
    const r = fuzz({ n: 5, seed: 1, logs, checkpoint, now: () => (t += 3000) });
    expect(r.failures.some((f) => f.kind === 'slow')).toBe(true);
  });
});
