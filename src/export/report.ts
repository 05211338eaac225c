/**
 * The HTML report: one self-contained file (no network) with the check and mutant verdicts,
 * covers, action coverage per design family, counterexamples as text traces and sequence diagrams, and every lifecycle machine as
 * inline SVG. The Mermaid library is inlined by the caller so diagrams render offline. Pure.
 */
import type { RunRecord } from '../check/run.js';
import type { MachineStep } from '../ops/machines.js';
import { toMermaidSequence } from './mermaid.js';
import { traceSteps, traceText } from './trace.js';
import { coverageByFamily, vocabularyLine } from './coverage.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function verdictRow(r: RunRecord): string {
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(', ');
  const expected = r.expected.verdict === 'pass' ? 'pass' : `violation of ${r.expected.property}`;
  // covers say whether a passing check was vacuous; a found violation needs none.
  const covers = r.verdict === 'pass' ? r.result.covers.map((c) => `<span class="${c.hit ? 'hit' : 'miss'}">${esc(c.name)}</span>`).join(' ') : '';
  return `<tr class="${r.asExpected ? 'ok' : 'bad'}"><td>${esc(r.scenario)}</td><td>${esc(params)}</td><td>${esc(r.variant || '(reference)')}</td><td>${esc(expected)}</td><td class="verdict">${esc(r.verdict)}</td><td>${r.result.states}</td><td>${r.result.transitions}</td><td>${r.result.maxDepth}</td><td>${covers || '-'}</td></tr>`;
}

/** A counterexample drawn on a machine its design changed: the machine as the design has it, the steps taken in red. */
export interface CexMachine {
  readonly machine: string;
  readonly svg: string;
  readonly steps: readonly MachineStep[];
}

function cexMachine(m: CexMachine): string {
  const steps = m.steps.map((x) => `${x.from} --${x.event}--> ${x.code ? `refused ${x.code}` : x.to}`);
  return `<div class="machine cex-machine" data-machine="${esc(m.machine)}"><h4>on the ${esc(m.machine)} machine, as this design has it</h4>${m.svg}<pre>${esc(steps.join('\n'))}</pre></div>`;
}

function counterexample(r: RunRecord, index: number, machines: readonly CexMachine[] = []): string {
  const v = r.result.violations[0];
  if (!v) return '';
  const steps = traceSteps(v.trace).slice(v.setupLength);
  const mermaid = toMermaidSequence(steps, `${v.property} violated`);
  return `<section class="cex" id="cex-${index}"><h3>${esc(r.scenario)}${r.variant ? ` [${esc(r.variant)}]` : ''}: ${esc(v.property)}</h3>
<p class="violation">${esc(v.message)}</p>
<pre class="mermaid">${esc(mermaid)}</pre>
${machines.map(cexMachine).join('\n')}
<details><summary>text trace (${steps.length} steps after ${v.setupLength} setup events)</summary><pre>${esc(traceText(v.trace, v.setupLength, `${v.property}: ${v.message}`))}</pre></details></section>`;
}

export interface ReportInput {
  readonly title: string;
  readonly checks: readonly RunRecord[];
  readonly mutants: readonly RunRecord[];
  /** Machine name and its rendered SVG. */
  readonly machines: readonly { name: string; svg: string }[];
  /** Per seeded fault (by index in `mutants`), its counterexample on each machine its design changed. */
  readonly cexMachines?: ReadonlyMap<number, readonly CexMachine[]>;
  /** The Mermaid library's browser bundle, inlined. */
  readonly mermaidJs: string;
}

/** Per design family: what its default runs never did, and how often each event was offered, succeeded and refused. */
function coverageSection(checks: readonly RunRecord[]): string {
  const c = coverageByFamily(checks);
  if (!c) return '<p>No coverage was recorded.</p>';
  return c.families
    .map((f) => {
      const rows = Object.entries(f.coverage.events).map(([type, e]) => {
        const refused = Object.entries(e.refused).map(([code, n]) => `${esc(code)} ${n}`).join(', ');
        return `<tr><td>${esc(type)}</td><td>${e.offered}</td><td>${e.ok}</td><td>${e.newStates}</td><td>${e.interleaved}</td><td>${refused || '-'}</td></tr>`;
      });
      const gaps = vocabularyLine(f);
      const clean = f.neverOffered.length + f.neverSucceeded.length + f.opsNeverCalled.length === 0;
      return `<h3 data-family="${esc(f.name)}">${esc(f.name)}</h3><p class="gaps ${clean ? 'hit' : 'miss'}">${esc(gaps)}</p>
<table><thead><tr><th>event</th><th>offered</th><th>succeeded</th><th>new states</th><th>with an actor inside</th><th>refused</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
    })
    .join('\n');
}

export function reportHtml(input: ReportInput): string {
  const all = [...input.checks, ...input.mutants];
  const ok = all.filter((r) => r.asExpected).length;
  const table = (rows: readonly RunRecord[]) => `<table class="verdicts"><thead><tr><th>scenario</th><th>parameters</th><th>variant</th><th>expected</th><th>verdict</th><th>states</th><th>transitions</th><th>depth</th><th>covers</th></tr></thead><tbody>${rows.map(verdictRow).join('\n')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}
tr.ok .verdict{color:#1a7f37}tr.bad{background:#ffebe9}.hit{color:#1a7f37}.miss{color:#cf222e;font-weight:bold}.violation{color:#cf222e}
.machine{display:inline-block;margin:1em;vertical-align:top}.machine svg{max-width:900px;height:auto}pre{background:#f6f8fa;padding:8px;overflow:auto}
</style></head><body>
<h1>${esc(input.title)}</h1>
<p id="summary">${ok} of ${all.length} verdicts as expected.</p>
<h2>Built-in scenarios</h2>${table(input.checks)}
<h2>Action coverage</h2>${coverageSection(input.checks)}
<h2>Seeded faults</h2>${table(input.mutants)}
<h2>Counterexamples</h2>${input.mutants.map((r, i) => counterexample(r, i, input.cexMachines?.get(i))).join('\n')}
<h2>Lifecycle machines</h2>${input.machines.map((m) => `<div class="machine" data-machine="${esc(m.name)}"><h3>${esc(m.name)}</h3>${m.svg.replace(/^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>)?/s, '')}</div>`).join('\n')}
<script>${input.mermaidJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script>
</body></html>
`;
}
