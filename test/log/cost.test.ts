/**
 * The cost comparison: every log in examples/cost replays clean with its workload phase, and the
 * table the README shows is exactly what `vkm replay --stats` prints for them today.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';
import { comparisonTable } from '../../src/cli/commands/replay.js';

const DIR = join(import.meta.dirname, '../../examples/cost');
const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort();

function run(file: string) {
  const r = readLog(readFileSync(join(DIR, file), 'utf8'), file);
  if (!r.ok) throw r.error;
  return replay(r.entries);
}

describe('cost comparison logs', () => {
  it.each(files)('%s should replay with every expectation met, no violation, and a workload phase', (file) => {
    const r = run(file);
    expect(r.steps.filter((s) => s.mismatch).map((s) => `${s.line}: ${s.mismatch}`)).toEqual([]);
    expect(r.violated).toBeUndefined();
    expect(r.phases.map((p) => p.name)).toEqual(['setup', 'workload']);
    expect(r.phases[0].stats.events + r.phases[1].stats.events).toBe(r.steps.length);
  });

  it('should show the same table in the README as a fresh replay prints', () => {
    const table = comparisonTable(files.map((f) => ({ file: f, phases: run(f).phases })));
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(table.join('\n'));
  });

  it('should separate what each design costs per mapping', () => {
    const w = Object.fromEntries(files.map((f) => [f.replace('.jsonl', ''), run(f).phases.find((p) => p.name === 'workload')!.stats]));
    // the userspace design exits to the VMM on each RPCIT and maps through VFIO; KVM's shadowing does neither.
    expect([w['s390-userspace'].vmExits, w['s390-kvm-shadow'].vmExits]).toEqual([2, 0]);
    expect(w['s390-userspace'].ioctls).toBeGreaterThan(0);
    expect(w['s390-kvm-shadow'].ioctls).toBe(0);
    expect(w['x86-sva-pri'].pageRequests).toBe(2);
    expect(w['x86-sva-pri'].pins + w['x86-stage2-shared'].pins + w['x86-type1-static'].pins).toBe(0);
  });
});
