/**
 * `npm run fuzz -- [--n N] [--seed S] [--out DIR]`: runs the fuzzer (fuzz.ts) over the bundled
 * logs and a fresh checkpoint, prints the figures, and writes each failure's reproducer to DIR
 * (fuzz-out by default). Exit 1 when anything failed. The I/O and the clock live here.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from '../check/run.js';
import { encodeCheckpoint } from '../check/checkpoint-file.js';
import type { Checkpoint } from '../check/explore.js';
import { fuzz } from './fuzz.js';

function logs(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? logs(p) : p.endsWith('.jsonl') ? [p] : [];
  });
}

/** A real checkpoint to mutate: a run saving at every poll, the last one kept. */
export function sampleCheckpoint(): string {
  let saved: Checkpoint | undefined;
  let t = 0;
  runCheck({ scenario: 'rpcit-shadow', params: {} }, { preemptions: 0, now: () => (t += 1000), checkpoint: { everyMs: 0, save: (c) => (saved = c) } });
  return encodeCheckpoint(saved!);
}

export function bundledLogs(root: string): string[] {
  return logs(join(root, 'examples')).map((f) => readFileSync(f, 'utf8'));
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`fuzz: --${name} takes a whole number`);
    process.exit(2);
  }
  return v;
}

if (process.argv[1]?.endsWith('main.js')) {
  const root = join(import.meta.dirname, '../../..');
  const n = arg('n', 20_000);
  const seed = arg('seed', 1);
  const outAt = process.argv.indexOf('--out');
  const out = outAt < 0 ? 'fuzz-out' : process.argv[outAt + 1];
  const started = performance.now();
  const report = fuzz({ n, seed, logs: bundledLogs(root), checkpoint: sampleCheckpoint(), now: () => performance.now() });
  const secs = (performance.now() - started) / 1000;
  console.log(`fuzz: ${report.inputs} inputs (${report.byTarget.events} event sequences, ${report.byTarget.log} hostile logs, ${report.byTarget.checkpoint} hostile checkpoints), ${report.events} events, seed ${seed}, in ${secs.toFixed(1)} s`);
  console.log(`slowest event ${report.slowestEventMs.toFixed(1)} ms; peak RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB; ${report.failures.length} failures`);
  if (report.failures.length) {
    mkdirSync(out, { recursive: true });
    report.failures.slice(0, 100).forEach((f, i) => {
      const file = join(out, `${String(i).padStart(3, '0')}-${f.target}-${f.kind}.${f.target === 'checkpoint' ? 'ckpt' : 'jsonl'}`);
      writeFileSync(file, f.input);
      console.log(`  ${f.kind} (${f.target}): ${f.message.slice(0, 200)} -> ${file}`);
    });
    process.exit(1);
  }
}
