/**
 * The HTML report: one self-contained file (no network) with what made it (version, date,
 * command line), a table of contents, the check and mutant verdicts, covers, action coverage per
 * design family, every violation found (expected or not) as a text trace and a sequence diagram,
 * and every lifecycle machine as inline SVG; readable down to 800 px wide. The Mermaid library is inlined by the caller so diagrams render offline. Pure.
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

/**
 * A run's counterexample: the violation of the property it was expected to violate when there is
 * one (a seeded fault's target), else the first; any other property violated at the same step is
 * named beside it.
 */
function counterexample(r: RunRecord, id: string, machines: readonly CexMachine[] = []): string {
  const target = r.expected.verdict === 'violation' ? r.expected.property : undefined;
  const v = r.result.violations.find((x) => x.property === target) ?? r.result.violations[0];
  if (!v) return '';
  const others = [...new Set(r.result.violations.map((x) => x.property).filter((p) => p !== v.property))];
  const steps = traceSteps(v.trace).slice(v.setupLength);
  const mermaid = toMermaidSequence(steps, `${v.property} violated`);
  const status = r.asExpected ? 'as expected' : 'NOT as expected';
  return `<section class="cex" id="${id}"><h3>${esc(r.scenario)}${r.variant ? ` [${esc(r.variant)}]` : ''}: ${esc(v.property)}</h3>
<p class="status ${r.asExpected ? 'hit' : 'miss'}">${status}${others.length ? `; also violated: ${esc(others.join(', '))}` : ''}</p>
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
  /** What made the report: vkm's version, the date (ISO 8601) and the command line. */
  readonly meta?: { readonly version: string; readonly date: string; readonly command: string };
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
  // every violation the run found, expected or not, gets its counterexample.
  const checkCex = input.checks.map((r, i) => [r, i] as const).filter(([r]) => r.result.violations.length > 0);
  const cexLink = (id: string, r: RunRecord) => [id, `${r.scenario}${r.variant ? ` [${r.variant}]` : ''}`] as const;
  const toc: (readonly [string, string])[] = [
    ['checks', 'Built-in scenarios'], ['coverage', 'Action coverage'], ['faults', 'Seeded faults'], ['cex', 'Counterexamples'],
    ...checkCex.map(([r, i]) => cexLink(`cex-check-${i}`, r)),
    ...input.mutants.map((r, i) => [r, i] as const).filter(([r]) => r.result.violations.length > 0).map(([r, i]) => cexLink(`cex-${i}`, r)),
    ['machines', 'Lifecycle machines'],
  ];
  const table = (rows: readonly RunRecord[]) => `<table class="verdicts"><thead><tr><th>scenario</th><th>parameters</th><th>variant</th><th>expected</th><th>verdict</th><th>states</th><th>transitions</th><th>depth</th><th>covers</th></tr></thead><tbody>${rows.map(verdictRow).join('\n')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:100%;overflow-wrap:anywhere}table{border-collapse:collapse;margin:1em 0;display:block;max-width:100%;overflow-x:auto}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}
tr.ok .verdict{color:#1a7f37}tr.bad{background:#ffebe9}.hit{color:#1a7f37}.miss{color:#cf222e;font-weight:bold}.violation{color:#cf222e}
.machine{display:inline-block;margin:1em;vertical-align:top;max-width:100%}.machine svg{max-width:min(900px,100%);height:auto}pre{background:#f6f8fa;padding:8px;overflow:auto;max-width:100%;white-space:pre-wrap}
pre.mermaid{white-space:pre}pre.mermaid svg{max-width:100%;height:auto}nav ul{columns:2}.meta{color:#555;font-size:13px}
</style></head><body>
<h1>${esc(input.title)}</h1>
${input.meta ? `<p class="meta" id="meta">vkm ${esc(input.meta.version)}, ${esc(input.meta.date)}: <code>${esc(input.meta.command)}</code></p>` : ''}
<p id="summary">${ok} of ${all.length} verdicts as expected.</p>
<nav id="toc"><h2>Contents</h2><ul>${toc.map(([id, text]) => `<li><a href="#${id}">${esc(text)}</a></li>`).join('')}</ul></nav>
<h2 id="checks">Built-in scenarios</h2>${table(input.checks)}
<h2 id="coverage">Action coverage</h2>${coverageSection(input.checks)}
<h2 id="faults">Seeded faults</h2>${table(input.mutants)}
<h2 id="cex">Counterexamples</h2>
${checkCex.map(([r, i]) => counterexample(r, `cex-check-${i}`)).join('\n')}
${input.mutants.map((r, i) => counterexample(r, `cex-${i}`, input.cexMachines?.get(i))).join('\n')}
<h2 id="machines">Lifecycle machines</h2>${input.machines.map((m) => `<div class="machine" data-machine="${esc(m.name)}"><h3>${esc(m.name)}</h3>${m.svg.replace(/^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>)?/s, '')}</div>`).join('\n')}
<script>${input.mermaidJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script>
</body></html>
`;
}
