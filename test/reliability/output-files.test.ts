/**
 * Output files: written through a temporary file renamed into place, which is removed on every
 * failure; never replacing a symbolic link or anything but a regular file; and a multi-file
 * `--out` indexed, the index marked complete only once every run has written its files.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/vkm.js');
const vkm = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8' });

describe('output files', () => {
  it('should refuse to replace a symbolic link, leaving it and its target as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-link-'));
    writeFileSync(join(dir, 'target.xml'), 'keep');
    symlinkSync(join(dir, 'target.xml'), join(dir, 'link.xml'));
    const r = vkm('check', '--scenario', 'kvm-domain-lent', '--preemptions', '0', '--junit', join(dir, 'link.xml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`vkm: refusing to replace ${join(dir, 'link.xml')}: it is a symbolic link\n`);
    expect(lstatSync(join(dir, 'link.xml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'target.xml'), 'utf8')).toBe('keep');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('should refuse a directory in the way and leave no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-dir-'));
    mkdirSync(join(dir, 'report.xml'));
    const r = vkm('check', '--scenario', 'kvm-domain-lent', '--preemptions', '0', '--junit', join(dir, 'report.xml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('it is not a regular file');
    expect(readdirSync(dir)).toEqual(['report.xml']);
  });

  it('should index a multi-file --out, marked complete once every run is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-out-'));
    const r = vkm('mutants', '--preemptions', '0', '--out', dir);
    expect(r.status).toBe(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.complete).toBe(true);
    expect(index.files.length).toBeGreaterThan(30);
    expect(readdirSync(dir).sort()).toEqual([...index.files, 'index.json'].sort());
  });
});
