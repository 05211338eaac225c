/**
 * Diagnostics quote what the user gave, so they are made safe to print: one line each, control
 * characters escaped, at most MAX_MESSAGE characters. Options are checked by type and range:
 * a parameter given twice, more workers than cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MAX_MESSAGE, sanitize } from '../../src/util/sanitize.js';

const BIN = join(import.meta.dirname, '../../bin/vkm.js');
const vkm = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8' });

describe('sanitize', () => {
  it.prop([fc.string({ unit: 'binary', maxLength: 3000 })])('should always give one line with no control character, at most MAX_MESSAGE long', (s) => {
    const out = sanitize(s);
    expect(out.length).toBeLessThanOrEqual(MAX_MESSAGE);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(out)).toBe(false);
    if (s.length <= 100 && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)) expect(out).toBe(s);
  });
});

describe('hostile bytes in a log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vkm-msg-'));

  it('should print a newline, an ANSI escape and a 100,000-character key escaped, on one bounded line', () => {
    for (const [name, line] of [
      ['nl.jsonl', '{"type":"host.boot","arch":"x86\\nvkm: forged"}'],
      ['esc.jsonl', '{"type":"\\u001b[31mred"}'],
      ['long.jsonl', `{"type":"host.boot","arch":"x86","${'k'.repeat(100_000)}":1}`],
    ]) {
      writeFileSync(join(dir, name), line + '\n');
      const r = vkm('replay', join(dir, name));
      expect(r.status, name).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean).length, name).toBe(1);
      expect(r.stderr.length, name).toBeLessThanOrEqual(MAX_MESSAGE + 1);
      expect(r.stderr.includes('\u001b'), name).toBe(false);
    }
    expect(vkm('replay', join(dir, 'esc.jsonl')).stderr).toContain('\\x1b[31mred');
  });
});

describe('option ranges', () => {
  it('should refuse a parameter given twice', () => {
    const r = vkm('check', '--scenario', 'rpcit-shadow', '--param', 'G=3,G=4');
    expect([r.status, r.stderr]).toEqual([2, 'vkm: --param gives G twice\n']);
  });

  it('should refuse more workers than cores unless --oversubscribe', () => {
    const n = availableParallelism() + 1;
    const r = vkm('check', '--scenario', 'kvm-domain-lent', '--workers', String(n));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`vkm: --workers ${n} is more than this machine's ${availableParallelism()} cores; add --oversubscribe to run that many anyway\n`);
    expect(vkm('check', '--scenario', 'kvm-domain-lent', '--workers', String(n), '--oversubscribe', '--preemptions', '0').status).toBe(0);
  });
});
