/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The HTML report in a real headless browser (the Chromium build npm ships, driven by playwright-core): it
 * loads without console errors, shows the verdict table, renders every diagram, Mermaid's own
 * parser accepts every Mermaid text vkm emits, and a screenshot is kept in artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.js';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { toMermaidSequence, toMermaidState } from '../../src/export/mermaid.js';
import { traceSteps } from '../../src/export/trace.js';
import { runCheck } from '../../src/check/run.js';
import { graphs } from './formats.test.js';
import { FAULTS } from '../../faults/index.js';
import { DEFAULT_RUNS } from '../../src/check/scenarios/index.js';
import { MACHINES } from '../../machines/index.js';
import { FAMILIES } from '../../src/check/families.js';

const ARTIFACTS = join(import.meta.dirname, '../../artifacts');

describe('HTML report in a headless browser', () => {
  it('should load without console errors, show verdicts, machines and diagrams, and accept every Mermaid text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-report-'));
    const written: Record<string, string> = {};
    const io: Io = {
      out: () => {}, err: () => {}, readFile: (p) => readFileSync(p, 'utf8'),
      writeFile: (p, t) => void (written[p] = t), now: () => 0, memoryMiB: () => 0, interrupted: () => false,
    };
    const code = await main(['report', '--out', dir], io);
    expect(code).toBe(0);
    const html = written[`${dir}/report.html`];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'report.html'), html);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto('file://' + join(dir, 'report.html'));
      await page.waitForFunction(() => [...document.querySelectorAll('pre.mermaid')].every((p) => p.querySelector('svg')), null, { timeout: 30_000 });
      expect(problems).toEqual([]);
      const runs = DEFAULT_RUNS.length + FAULTS.length;
      expect(await page.textContent('#summary')).toBe(`${runs} of ${runs} verdicts as expected.`);
      expect(await page.locator('table.verdicts tbody tr').count()).toBe(runs);
      // action coverage: one section per design family, none with a gap.
      expect(await page.locator('h3[data-family]').count()).toBe(FAMILIES.length);
      expect(await page.locator('p.gaps.miss').count()).toBe(0);
      // every lifecycle machine, and the lent-flag fault's counterexample on the domain-owner machine as that design has it.
      expect(await page.locator('.machine:not(.cex-machine) svg').count()).toBe(Object.keys(MACHINES).length);
      const lent = page.locator('#cex-' + FAULTS.findIndex((f) => f.design.name === 'kvm-domain-lent-out') + ' .cex-machine[data-machine="domain-owner"]');
      expect(await lent.locator('svg').count()).toBe(1);
      expect(await lent.locator('pre').textContent()).toContain('lent --USER_MAP--> lent');
      // the taken transitions are drawn in red: ALLOC_UNMANAGED, LEND and the USER_MAP the flag design should refuse.
      expect(await lent.locator('svg g.edge path[stroke="#cd0000"]').count()).toBe(3);
      expect(await page.locator('pre.mermaid svg').count()).toBe(FAULTS.length);

      // Mermaid's own parser on every kind of Mermaid text vkm writes.
      const r = runCheck({ scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-before-unmap' });
      const v = r.result.violations[0];
      // and a counterexample with an actor's event inside an op (another vCPU's write inside an RPCIT).
      const i = runCheck({ scenario: 'rpcit-shadow', params: {}, variant: 'kvm-leak-on-invalidate' }, { preemptions: 1 }).result.violations[0];
      const interleaved = toMermaidSequence(traceSteps(i.trace).slice(i.setupLength), 'violated');
      expect(interleaved).toMatch(/Note over KVM: step point \d+ /);
      const texts = [...graphs.map(toMermaidState), toMermaidSequence(traceSteps(v.trace).slice(v.setupLength), 'violated'), interleaved];
      const verdicts = await page.evaluate(async (ts) => {
        const m = (window as unknown as { mermaid: { parse(t: string): Promise<unknown> } }).mermaid;
        const out: string[] = [];
        for (const t of ts) {
          try {
            await m.parse(t);
            out.push('ok');
          } catch (e) {
            out.push(String((e as Error).message ?? e).slice(0, 200));
          }
        }
        return out;
      }, texts);
      expect(verdicts).toEqual(texts.map(() => 'ok'));
      const rejected = await page.evaluate(async () => {
        const m = (window as unknown as { mermaid: { parse(t: string): Promise<unknown> } }).mermaid;
        try {
          await m.parse('stateDiagram-v2\n  s0 --> --> s1');
          return 'accepted';
        } catch {
          return 'rejected';
        }
      });
      expect(rejected).toBe('rejected');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: false });
      expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
    void createRequire;
  }, 180_000);
});
