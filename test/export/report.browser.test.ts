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
/**
 * A guard against a hang, not a speed target: `vkm report` runs every default run and fault (124 s
 * alone in a slow hour of this machine, over 180 s beside the other test files).
 */
const HANG_GUARD_MS = 480_000;

describe('HTML report in a headless browser', () => {
  it('should load without console errors, show verdicts, machines and diagrams, and accept every Mermaid text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-report-'));
    const written: Record<string, string> = {};
    const io: Io = {
      out: () => {}, err: () => {}, readFile: (p) => readFileSync(p, 'utf8'),
      writeFile: (p, t) => void (written[p] = t), now: () => 0, memoryMiB: () => 0, interrupted: () => false, wallClock: () => new Date('2026-12-01T20:00:00Z'),
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
      // every violation found gets a diagram: each seeded fault's, and each default run's that expects one.
      const expectedViolations = DEFAULT_RUNS.filter((x) => x.expect?.verdict === 'violation').length;
      expect(expectedViolations).toBeGreaterThan(0);
      expect(await page.locator('pre.mermaid svg').count()).toBe(FAULTS.length + expectedViolations);
      const group = page.locator(`#cex-check-${DEFAULT_RUNS.findIndex((x) => x.variant === 'liobn-to-group')}`);
      expect(await group.locator('h3').textContent()).toBe('liobn-binding [liobn-to-group]: container-coherence');
      expect(await group.locator('p.status').textContent()).toBe('as expected');
      // the heading names the property the fault targets, the others beside it.
      const tce = page.locator(`#cex-${FAULTS.findIndex((f) => f.design.name === 'h-put-tce-unvalidated')}`);
      expect(await tce.locator('h3').textContent()).toMatch(/: isolation$/);
      // the diagram numbers steps as the text trace does, and shows every field.
      const diagramText = await tce.locator('pre.mermaid svg').textContent();
      const textTrace = await tce.locator('details pre').textContent();
      const firstStep = /^\s*(\d+)\. (\S+?\(.*\)) →/m.exec(textTrace ?? '')!;
      expect(diagramText).toContain(`${firstStep[1]}. ${firstStep[2].replace(/[;#:]/g, ' ')}`);
      // what made it, and a table of contents whose every link lands on a section.
      expect(await page.textContent('#meta')).toMatch(/^vkm \d+\.\d+\.\d+, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: vkm report --out /);
      const targets = await page.locator('#toc a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!.slice(1)));
      expect(targets.length).toBe(5 + FAULTS.length + expectedViolations);
      for (const id of targets) expect(await page.locator(`[id="${id}"]`).count(), id).toBe(1);

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
      // readable at 800 px: nothing wider than the window, so no sideways scrolling.
      await page.setViewportSize({ width: 800, height: 1000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
      await page.screenshot({ path: join(ARTIFACTS, 'report-800.png'), fullPage: false });
      expect(existsSync(join(ARTIFACTS, 'report-800.png'))).toBe(true);
    } finally {
      await browser.close();
    }
    void createRequire;
  }, HANG_GUARD_MS);
});
