/**
 * Variants live beside the reference design, not inside it: the seeded faults are files of their
 * own that use the public API alone, and no domain code branches on which design is in force.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../faults/index.js';

const ROOT = join(import.meta.dirname, '../..');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^import[^;]*?from '([^']+)'|^import '([^']+)'/gm)].map((m) => m[1] ?? m[2]);

/** The folders that implement the kernel: the reference design's ops and their helpers. */
const DOMAIN = ['src/mm', 'src/host', 'src/iommu', 'src/kvm', 'src/vfio', 'src/spapr', 'src/s390', 'src/device', 'src/model', 'src/memory'];

describe('seeded faults', () => {
  it('should each be a file of its own under faults/ that imports the public API only', () => {
    const faultFiles = readdirSync(join(ROOT, 'faults')).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(faultFiles.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(FAULTS.map((f) => f.design.name).sort());
    for (const f of faultFiles) expect(importsOf(join(ROOT, 'faults', f)), f).toEqual(['../src/index.js']);
  });

  it('should not be named, and no design be tested for, anywhere in the domain code', () => {
    const names = FAULTS.map((f) => f.design.name);
    for (const dir of DOMAIN) {
      for (const file of files(join(ROOT, dir))) {
        const text = readFileSync(file, 'utf8');
        const where = relative(ROOT, file);
        for (const n of names) expect(text.includes(`'${n}'`), `${where} names the fault ${n}`).toBe(false);
        // the world's design is read only to pick its ops (src/ops) and set at boot.
        if (where !== 'src/host/admin.ts') expect(/\bw\.design\b|\.design ===|pointsOf|variantNamed|\.variant\b/.test(text), `${where} branches on the design`).toBe(false);
      }
    }
  });

  it('should be imported only by the entry points (the CLI and the worker thread), never by the model', () => {
    for (const file of files(join(ROOT, 'src'))) {
      const where = relative(ROOT, file);
      if (where === 'src/cli/main.ts' || where === 'src/threads/check-worker.ts') continue;
      expect(importsOf(file).filter((i) => i.includes('faults/index')), where).toEqual([]);
    }
  });
});
