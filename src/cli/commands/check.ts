/**
 * `vkm check`: explores every built-in scenario (or one) and prints a summary; `vkm mutants`
 * checks every seeded fault; `vkm variants` lists the registry. Exit codes: 0 every verdict as
 * expected, 1 a verdict not as expected, 2 usage, 3 incomplete.
 */
import { FAULTS, faultNamed } from '../../check/faults.js';
import { CHECK_COVERAGE_SCHEMA, CHECK_RUN_SCHEMA } from '../../export/check-json-schema.js';
import { VARIANTS_SCHEMA } from '../../export/listing-json-schemas.js';
import { counterexampleLines, runCheckParallel, type RunRecord, type RunSpec } from '../../check/run.js';
import { DEFAULT_RUNS, designExpectation, scenarioNamed, scenarioNames, scenarioOrigin, SCENARIOS } from '../../check/scenarios/index.js';
import { resolveParams } from '../../check/scenario.js';
import type { Checkpoint } from '../../check/explore.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../check/checkpoint-file.js';
import { isTrailer } from '../../log/chain.js';
import { availableParallelism } from 'node:os';
import { traceSteps, traceText } from '../../export/trace.js';
import { toMermaidSequence } from '../../export/mermaid.js';
import { didYouMean } from '../../util/suggest.js';
import { UsageError } from '../../errors.js';
import { designNames, requireDesign } from '../../ops/registry.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';
import { parseParamList, preemptionsOf } from '../params.js';
import { coverageByFamily, coverageLines, vocabularyLine } from '../../export/coverage.js';

function num(opts: Record<string, string | true>, key: string): number | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${key} needs a positive number, got "${v}"`);
  // more worker threads than cores only share the cores and slow the run (64 on 2 cores: 13x).
  if (key === 'workers' && n > availableParallelism() && opts.oversubscribe !== true) {
    throw new UsageError(`--workers ${n} is more than this machine's ${availableParallelism()} cores; add --oversubscribe to run that many anyway`);
  }
  return n;
}

/** The verdict as shown: an incomplete run says what stopped it. */
function verdictText(r: RunRecord): string {
  return r.verdict === 'incomplete' ? `incomplete (${r.result.incompleteReason})` : r.verdict;
}

function label(r: RunRecord): string {
  const ps = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(',');
  return `${r.scenario}${ps ? `(${ps})` : ''}${r.variant ? ` [${r.variant}]` : ''}`;
}

function recordJson(r: RunRecord, deadlock: boolean): Record<string, unknown> {
  const x = r.result;
  return {
    schema: CHECK_RUN_SCHEMA,
    scenario: r.scenario,
    variant: r.variant || null,
    design: r.design || 'reference',
    params: r.params,
    expected: r.expected,
    verdict: r.verdict,
    asExpected: r.asExpected,
    states: x.states,
    transitions: x.transitions,
    maxDepth: x.maxDepth,
    durationMs: Math.round(r.durationMs),
    bytesPerState: Math.round(x.bytesPerState * 10) / 10,
    collisionProbability: x.collisionProbability,
    incompleteReason: x.incompleteReason ?? null,
    violations: x.violations.map((v) => ({ property: v.property, message: v.message, trace: counterexampleLines(v.trace).map((l) => JSON.parse(l) as unknown).filter((o) => !isTrailer(o)) })),
    covers: x.covers,
    ...(deadlock ? { deadlocks: x.deadlocks } : {}),
    ...(x.coverage ? { coverage: x.coverage } : {}),
  };
}

/**
 * A JUnit report CI tools accept (the testsuite structure of the common JUnit XSD): a run not as
 * expected is a failure whose text is the counterexample's text trace (or why no violation was
 * found); an incomplete run is an error; the options the run was given are its properties.
 */
function junit(records: RunRecord[], opts: Record<string, string | true>, io: Io): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const expected = (r: RunRecord) => (r.expected.verdict === 'pass' ? 'pass' : `violation of ${r.expected.property}`);
  const errors = records.filter((r) => r.verdict === 'incomplete').length;
  const failures = records.filter((r) => !r.asExpected && r.verdict !== 'incomplete').length;
  const cases = records.map((r) => {
    let body = '';
    if (r.verdict === 'incomplete') {
      body = `<error message="${esc(`incomplete: ${r.result.incompleteReason ?? 'stopped'} after ${r.result.states} states`)}" type="incomplete">${esc(`expected ${expected(r)}; the run stopped (${r.result.incompleteReason ?? 'stopped'}) before it could tell`)}</error>`;
    } else if (!r.asExpected) {
      const v = r.result.violations[0];
      const text = v ? traceText(v.trace, v.setupLength, `${v.property}: ${v.message}`) : `no violation of ${r.expected.verdict === 'violation' ? r.expected.property : 'any property'} in ${r.result.states} states`;
      body = `<failure message="${esc(`expected ${expected(r)}, got ${verdictText(r)}`)}" type="${r.verdict === 'violation' ? 'violation' : 'missed'}">${esc(text)}</failure>`;
    }
    return `  <testcase classname="vkm.check.${esc(r.scenario)}" name="${esc(label(r))}" time="${(r.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
  });
  const props = Object.entries(opts).map(([k, v]) => `    <property name="--${esc(k)}" value="${esc(v === true ? '' : v)}"/>`);
  const stamp = (io.wallClock?.() ?? new Date(0)).toISOString().slice(0, 19);
  const time = (records.reduce((n, r) => n + r.durationMs, 0) / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="vkm check" timestamp="${stamp}" hostname="${esc(io.hostname?.() || 'localhost')}" tests="${records.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}">`,
    props.length ? `  <properties>\n${props.join('\n')}\n  </properties>` : '  <properties/>',
    ...cases,
    `  <system-out>${esc(`${records.filter((r) => r.asExpected).length} of ${records.length} runs as expected`)}</system-out>`,
    '  <system-err/>',
    '</testsuite>',
    '',
  ].join('\n');
}

function specsFor(opts: Record<string, string | true>, io: Io): RunSpec[] {
  if ((opts.checkpoint !== undefined || opts.resume !== undefined) && (num(opts, 'workers') ?? 1) > 1) {
    throw new UsageError('--checkpoint and --resume run on one worker');
  }
  if (opts.resume !== undefined) {
    if (opts.scenario !== undefined || opts.param !== undefined || opts.variant !== undefined) throw new UsageError('--resume takes scenario, parameters and variant from the checkpoint');
    const file = String(opts.resume);
    const decoded = decodeCheckpoint(io.readFile(file));
    if (!decoded.ok) throw new UsageError(`${file}: field "${decoded.field}": ${decoded.reason}`);
    const c: Checkpoint = decoded.checkpoint;
    if (!scenarioNamed(c.scenario)) throw new UsageError(`${file}: the checkpoint's scenario "${c.scenario}" is not registered (pass the module that registers it with --load)`);
    requireDesign(c.variant);
    if (c.symmetry !== (opts.symmetry === true)) throw new UsageError(`${file}: was taken ${c.symmetry ? 'with' : 'without'} --symmetry; resume the same way`);
    if (opts.preemptions !== undefined && preemptionsOf(opts) !== c.preemptions) throw new UsageError(`${file}: was taken with --preemptions ${c.preemptions}; resume the same way`);
    const fault = faultNamed(c.variant);
    return [{ scenario: c.scenario, params: c.params, variant: c.variant || undefined, resume: c, expect: fault ? { verdict: 'violation', property: fault.property } : undefined }];
  }
  if (opts.scenario === undefined) {
    if (opts.checkpoint !== undefined) throw new UsageError('--checkpoint needs --scenario');
    if (opts.param !== undefined || opts.variant !== undefined) throw new UsageError('--param and --variant need --scenario');
    // the built-in default runs, then each scenario a loaded module registered, under its own design.
    const loaded = SCENARIOS.filter((s) => scenarioOrigin(s.name)).map((s) => ({ scenario: s.name, params: {} }));
    return [...DEFAULT_RUNS.map((r) => ({ scenario: r.scenario, params: r.params, variant: r.variant, expect: r.expect })), ...loaded];
  }
  const name = String(opts.scenario);
  if (!scenarioNamed(name)) throw new UsageError(`unknown scenario "${name}"${didYouMean(name, scenarioNames())} (scenarios: ${scenarioNames().join(', ')})`);
  const variant = opts.variant === undefined ? undefined : String(opts.variant);
  if (variant !== undefined) requireDesign(variant);
  const fault = variant === undefined ? undefined : faultNamed(variant);
  const params = opts.param === undefined ? {} : parseParamList(String(opts.param));
  const resolved = resolveParams(scenarioNamed(name)!, params);
  if (typeof resolved === 'string') throw new UsageError(resolved);
  return [{ scenario: name, params, variant, expect: fault ? { verdict: 'violation', property: fault.property } : designExpectation(name, variant) }];
}

/** What to type to go on after Ctrl-C: the exact --resume command, or how to make one possible. */
function resumeAdvice(opts: Record<string, string | true>, checkpointFile: string | undefined, loads: readonly string[]): string {
  if (checkpointFile === undefined) return 'interrupted: this run kept no checkpoint; run it again with --checkpoint FILE to be able to resume';
  const words = ['vkm check', ...loads.map((l) => `--load ${l}`), `--resume ${checkpointFile}`, ...(opts.symmetry === true ? ['--symmetry'] : [])];
  return `interrupted: the checkpoint is saved; resume with: ${words.join(' ')}`;
}

export async function runAndReport(specs: RunSpec[], opts: Record<string, string | true>, io: Io, title: string, loads: readonly string[] = []): Promise<ExitCode> {
  const json = opts.json === true;
  const now = io.now;
  const records: RunRecord[] = [];
  // --out's files so far; the index names them, marked complete once every run has written its own.
  const written: string[] = [];
  if (opts.out !== undefined) io.writeFile(`${String(opts.out)}/index.json`, JSON.stringify({ schema: 'vkm-out-index/1', complete: false, files: [] }, null, 2) + '\n');
  for (const spec of specs) {
    const started = now();
    let lastReport = started;
    const checkpointFile = opts.checkpoint === undefined ? undefined : String(opts.checkpoint);
    const maxMemory = num(opts, 'max-memory');
    const record = await runCheckParallel(spec, num(opts, 'workers') ?? 1, {
      resume: spec.resume,
      shouldStop: () => (io.interrupted() ? 'interrupted' : maxMemory !== undefined && io.memoryMiB() > maxMemory ? 'max-memory' : undefined),
      checkpoint: checkpointFile
        ? { everyMs: (num(opts, 'checkpoint-every') ?? 10) * 1000, save: (c) => io.writeFile(checkpointFile, encodeCheckpoint(c)) }
        : undefined,
      maxStates: num(opts, 'max-states'),
      maxDepth: num(opts, 'max-depth'),
      timeLimitMs: num(opts, 'time-limit') !== undefined ? num(opts, 'time-limit')! * 1000 : undefined,
      symmetry: opts.symmetry === true,
      deadlock: opts.deadlock === true,
      preemptions: spec.resume ? spec.resume.preemptions : preemptionsOf(opts),
      coverage: opts.coverage === true,
      now,
      onProgress: (p) => {
        const t = now();
        if (t - lastReport < 1000) return;
        lastReport = t;
        const secs = (t - started) / 1000;
        const line = `  ${spec.scenario}: ${p.states} states (${Math.round(p.states / Math.max(secs, 1e-3))}/s), ${p.transitions} transitions, depth ${p.depth}, ${p.queued} queued, ${secs.toFixed(0)} s, ${Math.round(io.memoryMiB())} MiB`;
        if (io.progress) io.progress(line);
        else io.err(line);
      },
    });
    records.push(record);
    if (record.result.incompleteReason === 'interrupted') io.err(resumeAdvice(opts, checkpointFile, loads));
    if (!json) io.err(`${record.asExpected ? 'ok  ' : 'FAIL'} ${label(record)}: ${verdictText(record)}, ${record.result.states} states in ${Math.round(record.durationMs)} ms`);
    if (opts.out !== undefined) {
      record.result.violations.slice(0, 1).forEach((v) => {
        const name = `${record.scenario}${record.variant ? '.' + record.variant : ''}.${v.property}`;
        const base = `${String(opts.out)}/${name}`;
        io.writeFile(`${base}.jsonl`, counterexampleLines(v.trace).join('\n') + '\n');
        io.writeFile(`${base}.txt`, traceText(v.trace, v.setupLength, `${v.property}: ${v.message}`));
        io.writeFile(`${base}.mmd`, toMermaidSequence(traceSteps(v.trace).slice(v.setupLength), `${v.property} violated`));
        written.push(...['jsonl', 'txt', 'mmd'].map((x) => `${name}.${x}`));
      });
      // the index is rewritten after each run's files: "complete" only once the last run's are in.
      io.writeFile(`${String(opts.out)}/index.json`, JSON.stringify({ schema: 'vkm-out-index/1', complete: false, files: written }, null, 2) + '\n');
    }
  }
  if (opts.out !== undefined) io.writeFile(`${String(opts.out)}/index.json`, JSON.stringify({ schema: 'vkm-out-index/1', complete: true, files: written }, null, 2) + '\n');
  if (json) {
    for (const r of records) io.out(JSON.stringify(recordJson(r, opts.deadlock === true)));
    const summary = coverageByFamily(records);
    // the family's merged counts are the records' own, summed: the summary carries the gaps only.
    if (summary) io.out(JSON.stringify({ schema: CHECK_COVERAGE_SCHEMA, coverage: { ...summary, families: summary.families.map(({ coverage: _, ...gaps }) => gaps) } }));
  } else {
    io.out(title);
    io.out(`${'scenario'.padEnd(44)} ${'expected'.padEnd(30)} ${'verdict'.padEnd(10)} ${'states'.padStart(8)} ${'trans'.padStart(9)} ${'depth'.padStart(5)} ${'ms'.padStart(7)}  covers`);
    for (const r of records) {
      const exp = r.expected.verdict === 'pass' ? 'pass' : `violation of ${r.expected.property}`;
      // covers say whether a passing check was vacuous; for a violation they do not apply.
      const covers = r.verdict === 'pass' ? r.result.covers.filter((c) => !c.hit).map((c) => c.name) : [];
      io.out(`${label(r).padEnd(44)} ${exp.padEnd(30)} ${verdictText(r).padEnd(10)} ${String(r.result.states).padStart(8)} ${String(r.result.transitions).padStart(9)} ${String(r.result.maxDepth).padStart(5)} ${String(Math.round(r.durationMs)).padStart(7)}  ${covers.length ? 'NEVER HIT: ' + covers.join(', ') : r.verdict === 'pass' ? 'all hit' : '-'}${r.asExpected ? '' : '   <-- not as expected'}`);
      for (const v of r.result.violations.slice(0, 3)) io.out(`    ${v.property}: ${v.message} (trace: ${v.trace.length - v.setupLength} steps after ${v.setupLength} setup events)`);
      if (opts.deadlock === true) io.out(`    deadlocks: ${r.result.deadlocks} state${r.result.deadlocks === 1 ? '' : 's'} in which every choice is refused`);
      if (r.result.coverage) for (const line of coverageLines(r.result.coverage)) io.out(line);
    }
    if (opts.coverage === true) for (const line of coverageSummary(records)) io.out(line);
  }
  if (opts.junit !== undefined) io.writeFile(String(opts.junit), junit(records, opts, io));
  if (records.some((r) => r.verdict === 'incomplete')) return EXIT.incomplete;
  return records.every((r) => r.asExpected) ? EXIT.ok : EXIT.violation;
}

function coverageSummary(records: readonly RunRecord[]): string[] {
  const c = coverageByFamily(records);
  if (!c) return [];
  const lines = ['', 'coverage by design family (the events of its vocabulary, the ops it is built from):'];
  for (const f of c.families) lines.push(`  ${vocabularyLine(f)}`);
  if (c.other) lines.push(`  other runs: ops never called in the ops tables they used: ${c.other.opsNeverCalled.join(', ') || 'none'}`);
  return lines;
}

export function checkCommand(opts: Record<string, string | true>, io: Io, loads: readonly string[] = []): Promise<ExitCode> {
  const loaded = SCENARIOS.filter((s) => scenarioOrigin(s.name)).length;
  const title = opts.scenario !== undefined || opts.resume !== undefined ? 'vkm check' : `vkm check: built-in scenarios${loaded ? ` and ${loaded} loaded` : ''}`;
  return runAndReport(specsFor(opts, io), opts, io, title, loads);
}

export function mutantsCommand(opts: Record<string, string | true>, io: Io): Promise<ExitCode> {
  const specs = FAULTS.map((f) => ({ scenario: f.scenario, params: f.params ?? {}, variant: f.design.name, expect: { verdict: 'violation' as const, property: f.property } }));
  return runAndReport(specs, opts, io, 'vkm mutants: every seeded fault must be found');
}

/** One row of `vkm variants`: a design or a fault, what it derives from and replaces, and where it is checked. */
interface VariantRow {
  readonly name: string;
  readonly kind: 'design' | 'fault';
  readonly base: string | null;
  readonly replaces: readonly string[];
  readonly checkedBy: string;
  readonly expected: string;
  readonly module: string | null;
  readonly description: string;
}

export function variantsCommand(opts: Record<string, string | true>, io: Io): ExitCode {
  const rows: VariantRow[] = [];
  const expectText = (v: { verdict: string; property?: string }) => (v.verdict === 'pass' ? 'pass' : `violation of ${v.property}`);
  for (const name of designNames()) {
    const d = requireDesign(name);
    const fault = faultNamed(name);
    // where a design is checked: the default runs that name it, or the scenarios written for it.
    const runs = DEFAULT_RUNS.filter((r) => (r.variant ?? scenarioNamed(r.scenario)!.design) === name);
    const scenarios = fault ? [fault.scenario] : [...new Set([...runs.map((r) => r.scenario), ...SCENARIOS.filter((s) => s.design === name).map((s) => s.name)])];
    const expected = fault ? expectText({ verdict: 'violation', property: fault.property }) : runs.map((r) => expectText(r.expect ?? scenarioNamed(r.scenario)!.expect)).filter((x, i, a) => a.indexOf(x) === i).join(' / ') || '-';
    rows.push({ name, kind: fault ? 'fault' : 'design', base: d.base ?? null, replaces: d.replaced, checkedBy: scenarios.join(', ') || '-', expected, module: d.origin?.path ?? null, description: d.description });
  }
  if (opts.json === true) io.out(JSON.stringify({ schema: VARIANTS_SCHEMA, variants: rows }, null, 2));
  else {
    for (const r of rows) {
      io.out(`${r.kind.padEnd(7)} ${r.name.padEnd(28)} ${(r.base ?? '').padEnd(26)} ${r.checkedBy.padEnd(28)} ${r.expected.padEnd(36)} ${r.description}`);
      if (r.replaces.length) io.out(`${''.padEnd(8)}replaces ${r.replaces.join(', ')}${r.module ? `  (from ${r.module})` : ''}`);
    }
  }
  return EXIT.ok;
}
