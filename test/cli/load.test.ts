/**
 * `--load FILE` through the real binary: a user module's design, scenario and property are
 * checked, its counterexample names the design and the module's hash, replays with --load, and is
 * refused (exit 2, naming the design) without it; a changed module is warned about; a module whose
 * registration is refused is an input error naming the file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/vkm.js');
const MODULE = join(ROOT, 'examples/my-design.mjs');
const vkm = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', cwd: ROOT });

describe('vkm --load', () => {
  it('should check a loaded scenario under its design, write a counterexample that replays with --load, and refuse it without', () => {
    const out = mkdtempSync(join(tmpdir(), 'vkm-load-'));
    const check = vkm('check', '--load', MODULE, '--scenario', 'map-unmap-cycle', '--out', out, '--json');
    expect(check.status).toBe(1);
    const record = JSON.parse(check.stdout.trim());
    expect(record).toMatchObject({ scenario: 'map-unmap-cycle', design: 'type1-split-remove', verdict: 'violation' });
    expect(record.violations[0].property).toBe('dma-avail-accounting');
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.jsonl'))!);
    const boot = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]);
    expect(boot).toMatchObject({ type: 'host.boot', design: 'type1-split-remove', module: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });

    const replayed = vkm('replay', '--load', MODULE, '--quiet', file);
    expect(replayed.status).toBe(1);
    expect(replayed.stdout).toMatch(/VIOLATION dma-avail-accounting/);
    expect(replayed.stderr).toBe('');

    const bare = vkm('replay', file);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/:1: field "design": unknown design "type1-split-remove", registered by a module with hash sha256:/);
    expect(bare.stdout).toBe('');
  });

  it('should warn when the loaded module is not the one the log was written under', () => {
    const dir = mkdtempSync(join(ROOT, 'examples/.tmp-load-'));
    const changed = join(dir, 'my-design.mjs');
    writeFileSync(changed, readFileSync(MODULE, 'utf8') + '\n// edited\n');
    const cex = join(dir, 'cex');
    vkm('check', '--load', MODULE, '--scenario', 'map-unmap-cycle', '--out', cex);
    const file = join(cex, readdirSync(cex).find((f) => f.endsWith('.jsonl'))!);
    const r = vkm('replay', '--load', changed, '--quiet', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/warning: .*design "type1-split-remove" was written by sha256:[0-9a-f]+, but .*my-design\.mjs is sha256:[0-9a-f]+ now \(the module changed since\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('should find the same violation with worker threads, which load the module too', () => {
    const one = JSON.parse(vkm('check', '--load', MODULE, '--scenario', 'map-unmap-cycle', '--variant', 'reference', '--json').stdout);
    const two = JSON.parse(vkm('check', '--load', MODULE, '--scenario', 'map-unmap-cycle', '--variant', 'reference', '--json', '--workers', '2').stdout);
    expect([two.verdict, two.states, two.transitions]).toEqual([one.verdict, one.states, one.transitions]);
    expect(one).toMatchObject({ verdict: 'pass', design: 'reference' });
  });

  it('should refuse a module whose registration is refused, a missing module and an unknown design, with exit 2 and no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-bad-module-'));
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, `export default (vkm) => vkm.registerDesign({ name: 'x-typo', description: 'x', ops: { vfio_iommu_type1: { unmap_upin: () => () => {} } } });\n`);
    const r = vkm('check', '--load', bad, '--scenario', 'type1-unmap');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.mjs: design "x-typo": unknown op "vfio_iommu_type1.unmap_upin" \(ops of vfio_iommu_type1: .*unmap_unpin/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = vkm('check', '--load', join(dir, 'nope.mjs'));
    expect([missing.status, missing.stderr]).toEqual([2, expect.stringMatching(/cannot read .*nope\.mjs: ENOENT/)]);
    const unknown = vkm('check', '--scenario', 'type1-unmap', '--variant', 'type1-unpin-befor-unmap');
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/unknown design "type1-unpin-befor-unmap"; did you mean "type1-unpin-before-unmap"\? \(designs: reference, .*type1-unpin-before-unmap/)]);
  });

  it('should accept a module that exports a function receiving the API (in-process, no package resolution)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-fn-module-'));
    const file = join(dir, 'fn.mjs');
    writeFileSync(file, `export default (vkm) => vkm.registerDesign({ name: 'fn-module-design', base: 's390-kvm-shadow', description: 'no charge', ops: { kvm: { account_pinned: () => () => undefined } } });\n`);
    const lines: string[] = [];
    const io: Io = { out: (t) => lines.push(t), err: () => {}, readFile: (p) => readFileSync(p, 'utf8'), writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
    expect(await main(['check', '--load', file, '--scenario', 'rpcit-shadow', '--variant', 'fn-module-design', '--json'], io)).toBe(1);
    expect(JSON.parse(lines[0]).violations.map((v: { property: string }) => v.property)).toContain('locked-vm-accounting');
  });
});
