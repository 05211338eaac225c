/**
 * The README's walk-through shows `vkm replay`'s output for the bundled type1 log: every line it
 * shows, the summary and the digest must be what the command prints today (the digest once went
 * stale unnoticed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

const ROOT = join(import.meta.dirname, '../..');

describe('the README walk-through', () => {
  it('should show exactly what vkm replay prints for examples/type1-dma-walkthrough.jsonl', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```text\n\$ npx vkm replay examples\/type1-dma-walkthrough\.jsonl\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const shown = block![1].split('\n').filter((l) => l && l.trim() !== '...');
    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: () => {}, readFile: (p) => readFileSync(join(ROOT, p), 'utf8'), writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
    expect(await main(['replay', 'examples/type1-dma-walkthrough.jsonl'], io)).toBe(0);
    for (const line of shown) expect(out, line).toContain(line);
    expect(shown.at(-1)).toMatch(/^digest sha256:[0-9a-f]{64}$/);
  });
});
