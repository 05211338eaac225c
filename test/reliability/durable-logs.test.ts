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

  it('should verify a log as written, trailer included, and read it as the same events', () => {
    const lines = trace();
    expect(JSON.parse(lines.at(-1)!)).toEqual({ end: { lines: lines.length - 1, chain: JSON.parse(lines.at(-2)!).chain } });
    expect(verifyChain(lines.join('\n'))).toBeUndefined();
    const r = readLog(lines.join('\n'), 'c.jsonl');
    expect(r.ok && r.entries.length).toBe(lines.length - 1);
  });

  it('should name the first line after a change, a drop or a reorder', () => {
    const lines = trace();
    const edited = [...lines];
    const o = JSON.parse(edited[4]);
    edited[4] = JSON.stringify({ ...o, expect: 'EINVAL' });
    expect(verifyChain(edited.join('\n'))?.line).toBe(5);
    const at = lines.findIndex((l) => l.includes('"vmm.mem.write"'));
    const dropped = [...lines.slice(0, at), ...lines.slice(at + 1)];
    expect(verifyChain(dropped.join('\n'))?.line).toBe(at + 1);
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
    expect(verifyChain(swapped.join('\n'))?.line).toBe(3);
    expect(verifyChain(`${A}\n`)).toEqual({ line: 1, reason: 'has no chain field' });
  });

  it('should catch a dropped last line, a cut file and lines added after the trailer', () => {
    const lines = trace();
    const n = lines.length;
    // the reliability report's case: the violating last event dropped, the rest intact.
    const noLast = [...lines.slice(0, n - 2), lines[n - 1]];
    expect(verifyChain(noLast.join('\n'))).toEqual({ line: n - 1, reason: `the trailer counts ${n - 1} events but the log has ${n - 2}: lines were dropped or added` });
    expect(verifyChain(lines.slice(0, n - 1).join('\n'))).toEqual({ line: n, reason: `has no trailer after line ${n - 1}: the log was cut or its last lines dropped` });
    const cut = lines.join('\n').slice(0, -30);
    expect(verifyChain(cut)?.reason).toMatch(/not a complete JSON line|no trailer/);
    expect(verifyChain([...lines, A].join('\n'))).toEqual({ line: n, reason: 'the trailer is not the last line: lines were added after it' });
  });

  it('should check the chain before anything else reads the line (an edit is named as an edit)', async () => {
    const { main } = await import('../../src/cli/main.js');
    const lines = trace();
    const edited = [...lines];
    // renaming a container breaks its id checks too; the chain is what --verify reports, at that line.
    const at = edited.findIndex((l) => l.includes('"container":"c0"') && !l.includes('container.open'));
    expect(at).toBeGreaterThan(0);
    edited[at] = edited[at].replace('"container":"c0"', '"container":"zz"');
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => void err.push(t), readFile: () => edited.join('\n'), writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
    expect(await main(['replay', '--verify', 'c.jsonl'], io)).toBe(2);
    expect(err[0]).toMatch(new RegExp(`^vkm: c\\.jsonl:${at + 1}: field "chain": chain does not match`));
    // without --verify the same line is refused for the id it names.
    err.length = 0;
    expect(await main(['replay', 'c.jsonl'], io)).toBe(2);
    expect(err[0]).toContain('unknown container id "zz"');
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
    expect(files).toEqual(['index.json', 'j.xml', ...['jsonl', 'mmd', 'txt'].map((x) => `type1-unmap.type1-unpin-before-unmap.no-iova-to-unpinned-page.${x}`)].sort());
    const v = spawnSync('node', [join(import.meta.dirname, '../../bin/vkm.js'), 'replay', '--verify', join(dir, 'type1-unmap.type1-unpin-before-unmap.no-iova-to-unpinned-page.jsonl')], { encoding: 'utf8' });
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/violation after line 13/);
  });
});
