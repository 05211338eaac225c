/** The same inputs give byte-identical JSON output, timings aside. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function capture(clockStep: number): Io & { stdout: string[] } {
  let t = 0;
  const stdout: string[] = [];
  return {
    stdout,
    out: (s) => stdout.push(s),
    err: () => {},
    readFile: (p) => readFileSync(p, 'utf8'),
    writeFile: () => {},
    now: () => (t += clockStep),
    memoryMiB: () => 0,
    interrupted: () => false,
  };
}

const withoutTimings = (lines: string[]) => lines.map((l) => JSON.stringify({ ...JSON.parse(l), durationMs: undefined }));

describe('determinism', () => {
  it('vkm check --json should give identical output on two runs with different clocks', async () => {
    const a = capture(1);
    const b = capture(7);
    await main(['check', '--scenario', 'type1-unmap', '--json'], a);
    await main(['check', '--scenario', 'type1-unmap', '--json'], b);
    expect(withoutTimings(a.stdout)).toEqual(withoutTimings(b.stdout));
  });

  it('vkm mutants --json should give identical counterexamples on two runs', async () => {
    const a = capture(1);
    const b = capture(3);
    await main(['mutants', '--json'], a);
    await main(['mutants', '--json'], b);
    expect(withoutTimings(a.stdout)).toEqual(withoutTimings(b.stdout));
    expect(a.stdout.length).toBeGreaterThanOrEqual(8);
  });

  it('vkm replay --json should be byte-identical on two runs', async () => {
    const file = join(import.meta.dirname, '../../examples/s390-kvm-shadow-walkthrough.jsonl');
    const a = capture(1);
    const b = capture(5);
    await main(['replay', file, '--json'], a);
    await main(['replay', file, '--json'], b);
    expect(a.stdout.join('\n')).toBe(b.stdout.join('\n'));
  });
});
