/** Durable logs: a killed writer's truncated last line is tolerated; the hash chain detects tampering. */
import { describe, expect, it } from 'vitest';
import { runCheck, counterexampleLines } from '../../src/check/run.js';
import { verifyChain } from '../../src/log/chain.js';
import { readLog } from '../../src/log/read-log.js';
import '../../faults/index.js';

const A = '{"type":"host.process.spawn","mm":"q"}';
const B = '{"type":"host.cap.set","mm":"q","capIpcLock":true}';

describe('truncated logs', () => {
  it('should read up to the last complete line and warn when the last line was cut off', () => {
    const r = readLog(`${A}\n${B}\n{"type":"host.rli`, 'f.jsonl');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entries.length).toBe(2);
    expect(r.warnings).toEqual(['f.jsonl:3: ignoring a truncated last line (no newline, incomplete JSON): read 2 events']);
  });

  it('should still refuse a corrupt line that is not the unterminated last one', () => {
    const r = readLog(`${A}\n{"type":"host.rli\n${B}\n`, 'f.jsonl');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^f\.jsonl:2:\d+: invalid JSON/);
  });

  it('should refuse a complete last line that is bad in any other way', () => {
    const r = readLog(`${A}\n{"type":"host.cap.set","mm":"q","capIpcLock":7}`, 'f.jsonl');
    expect(r.ok).toBe(false);
  });
});

describe('hash chain', () => {
  const trace = () => {
    const r = runCheck({ scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-before-unmap' });
    return counterexampleLines(r.result.violations[0].trace);
  };

  it('should verify a log as written', () => {
    const r = readLog(trace().join('\n'), 'c.jsonl');
    expect(r.ok && verifyChain(r.entries)).toBeUndefined();
  });

  it('should name the first line after a change, a drop or a reorder', () => {
    const lines = trace();
    const edited = [...lines];
    const o = JSON.parse(edited[4]);
    edited[4] = JSON.stringify({ ...o, expect: 'EINVAL' });
    const r1 = readLog(edited.join('\n'), 'c.jsonl');
    expect(r1.ok && verifyChain(r1.entries)?.line).toBe(5);
    // drop the first vmm.mem.write (it declares nothing, so the log still parses).
    const at = lines.findIndex((l) => l.includes('"vmm.mem.write"'));
    const dropped = [...lines.slice(0, at), ...lines.slice(at + 1)];
    const r2 = readLog(dropped.join('\n'), 'c.jsonl');
    expect(r2.ok && verifyChain(r2.entries)?.line).toBe(at + 1);
    const unchained = readLog(`${A}\n`, 'c.jsonl');
    expect(unchained.ok && verifyChain(unchained.entries)).toEqual({ line: 1, reason: 'has no chain field' });
  });
});

describe('durable writes', () => {
  it('should write through a temporary file renamed into place, leaving no temporary behind', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'vkm-out-'));
    const r = spawnSync('node', [join(import.meta.dirname, '../../bin/vkm.js'), 'check', '--scenario', 'type1-unmap', '--variant', 'type1-unpin-before-unmap', '--out', dir, '--junit', join(dir, 'j.xml')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(files).toEqual(['j.xml', ...['jsonl', 'mmd', 'txt'].map((x) => `type1-unmap.type1-unpin-before-unmap.no-iova-to-unpinned-page.${x}`)].sort());
    const v = spawnSync('node', [join(import.meta.dirname, '../../bin/vkm.js'), 'replay', '--verify', join(dir, 'type1-unmap.type1-unpin-before-unmap.no-iova-to-unpinned-page.jsonl')], { encoding: 'utf8' });
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/violation after line 13/);
  });
});
