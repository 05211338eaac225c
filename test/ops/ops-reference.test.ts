/** The README's "Ops reference" lists exactly the reference design's ops, table by table. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_OPS } from '../../src/index.js';

describe('the ops reference in the README', () => {
  it('should list every table and op of the reference design, and nothing else', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Ops reference'), readme.indexOf('## Layout'));
    const listed = [...section.matchAll(/^\| `([a-z0-9_]+\.[a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    const actual = Object.entries(REFERENCE_OPS).flatMap(([t, ops]) => Object.keys(ops).map((o) => `${t}.${o}`));
    expect([...listed].sort()).toEqual([...actual].sort());
    expect(new Set(listed).size).toBe(listed.length);
    for (const t of Object.keys(REFERENCE_OPS)) expect(section).toContain(`**\`${t}\`**`);
  });
});
