/**
 * A checkpoint carries its format, a sha256 of its content and a structure the explorer can rely
 * on: a cut, edited or foreign file is an input error (exit 2) naming the field, never a resumed
 * run (the reliability report resumed `next: 1e9` to a wrong `pass` and `size: -5` to "-5 states").
 */
import { createHash } from 'node:crypto';
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { decodeCheckpoint } from '../../src/check/checkpoint-file.js';

function io(files: Record<string, string>, interruptAfter = Infinity) {
  let polls = 0;
  const err: string[] = [];
  const out: string[] = [];
  const x: Io = {
    out: (t) => void out.push(t), err: (t) => void err.push(t), readFile: (p) => files[p] ?? '', writeFile: (p, t) => void (files[p] = t),
    now: () => 0, memoryMiB: () => 0, interrupted: () => ++polls > interruptAfter,
  };
  return { x, err, out };
}

/** A real checkpoint: the run is interrupted part-way (171 of 1,700 states), which saves one. */
async function checkpoint(): Promise<string> {
  const files: Record<string, string> = {};
  const { x } = io(files, 50);
  expect(await main(['check', '--scenario', 'rpcit-shadow', '--checkpoint', 'ck', '--preemptions', '0'], x)).toBe(3);
  return files.ck;
}

/** Rewrites the content and, unless told not to, its checksum too (as a careful forger would). */
function forge(text: string, edit: (c: Record<string, any>) => void, reseal = true): string {
  const env = JSON.parse(text);
  edit(env.checkpoint);
  if (reseal) env.sha256 = createHash('sha256').update(JSON.stringify(env.checkpoint)).digest('hex');
  return JSON.stringify(env);
}

describe('checkpoint integrity', async () => {
  const good = await checkpoint();

  it('should resume an intact checkpoint', async () => {
    const { x } = io({ ck: good });
    expect(await main(['check', '--resume', 'ck', '--preemptions', '0'], x)).toBe(0);
  });

  it('should refuse edits, cuts and foreign files, each naming the field', async () => {
    const cases: [string, string][] = [
      [forge(good, (c) => (c.next = 1e9), false), 'field "sha256": does not match the content: the file was changed or cut'],
      [forge(good, (c) => (c.next = 1e9)), 'field "checkpoint.next": must be a state between 0 and'],
      [forge(good, (c) => (c.table.size = -5)), 'field "checkpoint.table.size": must be a count of states'],
      [forge(good, (c) => (c.transitions = -1)), 'field "checkpoint.transitions": must be a non-negative whole number'],
      [forge(good, (c) => (c.preemptions = 7)), 'field "checkpoint.preemptions": must be 0 or 1'],
      [good.slice(0, good.length - 40), 'field "format": not a checkpoint (invalid JSON'],
      [JSON.stringify(JSON.parse(good).checkpoint), 'field "format": not a vkm-checkpoint/5 checkpoint (version 4'],
    ];
    for (const [text, message] of cases) {
      const { x, err } = io({ ck: text });
      expect(await main(['check', '--resume', 'ck', '--preemptions', '0'], x), message).toBe(2);
      expect(err.join('\n')).toContain(`vkm: ck: ${message}`);
    }
  });

  it('should refuse a forged table whose parents or depths do not form a breadth-first tree', () => {
    const env = JSON.parse(good);
    const parent = new Int32Array(Buffer.from(env.checkpoint.table.parent, 'base64').buffer.slice(0));
    expect(env.checkpoint.table.size).toBeGreaterThan(2);
    parent[2] = 5;
    const text = forge(good, (c) => (c.table.parent = Buffer.from(parent.buffer).toString('base64')));
    expect(decodeCheckpoint(text)).toEqual({ ok: false, field: 'checkpoint.table.parent', reason: "state 2's parent 5 is not an earlier state" });
  });

  it.prop([fc.nat(), fc.integer({ min: 1, max: 94 })], { numRuns: 200 })('should refuse any one character changed anywhere in the file', (at, shift) => {
    const i = at % good.length;
    const changed = good.slice(0, i) + String.fromCharCode(32 + ((good.charCodeAt(i) - 32 + shift) % 95)) + good.slice(i + 1);
    expect(decodeCheckpoint(changed).ok).toBe(false);
  });
});
