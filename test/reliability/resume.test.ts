/**
 * Long checks must never lose a result: a run killed midway resumes from its checkpoint to exactly
 * the uninterrupted result; SIGINT and --max-memory end a run cleanly as incomplete (exit 3).
 * These drive the real binary, as CI does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/vkm.js');
// about 2 s of work: long enough to be killed between two checkpoints, short enough for CI.
const RUN = ['check', '--scenario', 'rpcit-shadow', '--param', 'G=3,I=2,L=2', '--preemptions', '0'];
const STATES = 19208;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function summary(stdout: string) {
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
  return { verdict: r.verdict, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth, covers: r.covers };
}

describe('checkpoint and resume', () => {
  it('should resume a run killed with SIGKILL to exactly the uninterrupted result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-ckpt-'));
    const ckpt = join(dir, 'run.ckpt');
    const whole = summary(spawnSync('node', [BIN, ...RUN, '--json'], { encoding: 'utf8' }).stdout);
    expect(whole).toMatchObject({ verdict: 'pass', states: STATES });

    const child = spawn('node', [BIN, ...RUN, '--checkpoint', ckpt, '--checkpoint-every', '0.1', '--json'], { stdio: 'ignore' });
    // listen for the exit from the start: a child that ended before the kill must not hang the test.
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    for (let waited = 0; !existsSync(ckpt) && waited < 20_000; waited += 20) await sleep(20);
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const saved = JSON.parse(readFileSync(ckpt, 'utf8')).checkpoint;
    expect(saved.next).toBeGreaterThan(0);
    expect(saved.next).toBeLessThan(STATES);

    const resumed = spawnSync('node', [BIN, 'check', '--resume', ckpt, '--json'], { encoding: 'utf8' });
    expect(resumed.status).toBe(0);
    expect(summary(resumed.stdout)).toEqual(whole);
  }, 120_000);

  it('should stop cleanly on SIGINT with exit 3, a marked partial result and a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-int-'));
    const ckpt = join(dir, 'int.ckpt');
    const child = spawn('node', [BIN, 'check', '--scenario', 'rpcit-shadow', '--param', 'G=3,I=2,L=2', '--checkpoint', ckpt, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // (interleavings on, the default: the checkpoint records them, and a resume takes them from it.)
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await sleep(1500);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(3);
    expect(err).not.toMatch(/at .*\.js:\d+/);
    // it says exactly what to type to go on.
    expect(err).toContain(`interrupted: the checkpoint is saved; resume with: vkm check --resume ${ckpt}\n`);
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    expect([r.verdict, r.incompleteReason]).toEqual(['incomplete', 'interrupted']);
    const saved = JSON.parse(readFileSync(ckpt, 'utf8')).checkpoint;
    expect(saved.next).toBeGreaterThan(0);
    expect(saved.preemptions).toBe(1);
    const other = spawnSync('node', [BIN, 'check', '--resume', ckpt, '--preemptions', '0'], { encoding: 'utf8' });
    expect([other.status, other.stderr]).toEqual([2, expect.stringMatching(/was taken with --preemptions 1; resume the same way/)]);
  }, 60_000);

  it('should stop before passing --max-memory, marked incomplete, with exit 3', () => {
    const r = spawnSync('node', [BIN, ...RUN, '--max-memory', '1', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-memory' });
  });

  it('should refuse a checkpoint of another run and a non-checkpoint file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-bad-'));
    const bad = spawnSync('node', [BIN, 'check', '--resume', join(dir, 'missing.ckpt')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot read .*missing\.ckpt: ENOENT/);
  });
});
