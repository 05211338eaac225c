/** `vkm replay FILE`: renders a replay result as text or JSON Lines. */
import { readLog } from '../../log/read-log.js';
import { verifyChain } from '../../log/chain.js';
import { checkLogDesigns } from '../../log/designs.js';
import { replay, type StepResult } from '../../log/replay.js';
import { digest } from '../../model/digest.js';
import { describeState } from '../../export/state.js';
import { UsageError } from '../../errors.js';
import { DEFAULT_PAGES_PER_EVENT, MAX_PAGES_PER_EVENT } from '../../model/page-limit.js';
import { FIRST_PFN, HOST_FRAMES, MAX_FRAMES } from '../../memory/frames.js';
import type { LogEntry } from '../../events/types.js';
import { REPLAY_STEP_SCHEMA, REPLAY_SUMMARY_SCHEMA } from '../../export/replay-json-schema.js';
import { bytesToHex, hex } from '../../util/hex.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';
import { costTable, perEvent, type PhaseStats } from '../../log/stats.js';

/**
 * The comparison `replay --stats` prints after several logs: each log's "workload" phase (its
 * whole run when it has none), so designs are compared on the same guest work, not on setup.
 */
export function comparisonTable(rows: readonly { file: string; phases: readonly PhaseStats[] }[]): string[] {
  return costTable(
    rows.map((r) => {
      const w = r.phases.find((p) => p.name === 'workload');
      const label = r.file.replace(/^.*\//, '').replace(/\.jsonl$/, '');
      if (w) return { label, stats: w.stats };
      const total = { ...r.phases[0].stats };
      for (const p of r.phases.slice(1)) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += p.stats[k];
      return { label: label + ' (whole log)', stats: total };
    }),
  );
}

function outcomeText(s: StepResult): string {
  let t = s.outcome.code;
  if (s.outcome.value !== undefined) t += ` value=${hex(s.outcome.value)}`;
  if (s.outcome.data !== undefined) t += ` data=${s.outcome.data.length > 32 ? bytesToHex(s.outcome.data.subarray(0, 32)) + '…' : bytesToHex(s.outcome.data)}`;
  return t;
}

function stepJson(s: StepResult): Record<string, unknown> {
  return {
    schema: REPLAY_STEP_SCHEMA,
    line: s.line,
    type: s.type,
    code: s.outcome.code,
    ...(s.outcome.value !== undefined ? { value: hex(s.outcome.value) } : {}),
    ...(s.outcome.data !== undefined ? { data: bytesToHex(s.outcome.data) } : {}),
    ...(s.mismatch ? { mismatch: s.mismatch } : {}),
    ...(s.violations.length ? { violations: s.violations } : {}),
  };
}

/** `--state-at LINE`: the whole state after that line (past any violation), tables decoded, as JSON. */
function stateAt(file: string, entries: readonly LogEntry[], text: string, opts: Record<string, string | true>, io: Io): ExitCode {
  const line = Number(text);
  const last = entries.at(-1)?.line ?? 0;
  if (!/^[0-9]+$/.test(text) || line < 1 || line > last) throw new UsageError(`--state-at must be a line of ${file} (1 to ${last}), not "${text}"`);
  const result = replay(entries, { keepGoing: true, stopAfterLine: line, ...limitsOf(opts) });
  if (result.inputError) {
    io.err(`vkm: ${file}:${result.inputError.line}: field "${result.inputError.field}": ${result.inputError.reason}`);
    return EXIT.usage;
  }
  const at = result.steps.at(-1);
  io.out(JSON.stringify(describeState(result.world, at?.line ?? 0, at?.type ?? ''), null, 2));
  return EXIT.ok;
}

/**
 * `--limit pages-per-event=N,frames=M` (either or both): the run's bounds on the pages one event
 * may touch and on the host frames in use (kernel/limits.ts).
 */
export function limitsOf(opts: Record<string, string | true>): { pageLimit?: number; frameLimit?: number } {
  if (opts.limit === undefined) return {};
  const usage = () => new UsageError(`--limit takes pages-per-event=N (1 to ${MAX_PAGES_PER_EVENT}, default ${DEFAULT_PAGES_PER_EVENT}) and/or frames=N (${FIRST_PFN} to ${MAX_FRAMES}, default ${HOST_FRAMES}), comma-separated, not "${String(opts.limit).slice(0, 40)}"`);
  const out: { pageLimit?: number; frameLimit?: number } = {};
  for (const part of String(opts.limit).split(',')) {
    const m = /^(pages-per-event|frames)=([0-9]{1,9})$/.exec(part);
    if (!m) throw usage();
    const n = Number(m[2]);
    if (m[1] === 'pages-per-event') {
      if (n < 1 || n > MAX_PAGES_PER_EVENT || out.pageLimit !== undefined) throw usage();
      out.pageLimit = n;
    } else {
      if (n < FIRST_PFN || n > MAX_FRAMES || out.frameLimit !== undefined) throw usage();
      out.frameLimit = n;
    }
  }
  return out;
}

/** What a replay contributes to a multi-log cost comparison. */
export type StatsCollector = (file: string, phases: readonly PhaseStats[]) => void;

export function replayCommand(file: string, opts: Record<string, string | true>, io: Io, collect?: StatsCollector): ExitCode {
  const text = io.readFile(file);
  // the chain is checked on the raw lines first, so a tampered line is named as tampered, not as whatever else it breaks.
  if (opts.verify === true) {
    const broken = verifyChain(text);
    if (broken) {
      io.err(`vkm: ${file}:${broken.line}: field "chain": ${broken.reason}`);
      return EXIT.usage;
    }
  }
  const read = readLog(text, file);
  if (!read.ok) {
    io.err(`vkm: ${read.error.message}`);
    return EXIT.usage;
  }
  for (const w of read.warnings) io.err(`vkm: warning: ${w}`);
  const designs = checkLogDesigns(read.entries, file);
  if (designs.error) {
    io.err(`vkm: ${designs.error.message}`);
    return EXIT.usage;
  }
  for (const w of designs.warnings) io.err(`vkm: warning: ${w}`);
  if (opts['state-at'] !== undefined) return stateAt(file, read.entries, String(opts['state-at']), opts, io);
  const result = replay(read.entries, { keepGoing: opts['keep-going'] === true, checkAll: opts['check-all'] === true, ...limitsOf(opts) });
  if (result.inputError) {
    io.err(`vkm: ${file}:${result.inputError.line}: field "${result.inputError.field}": ${result.inputError.reason}`);
    return EXIT.usage;
  }
  const json = opts.json === true;
  const quiet = opts.quiet === true;
  for (const s of result.steps) {
    if (json) io.out(JSON.stringify(stepJson(s)));
    else if (!quiet || s.mismatch || s.violations.length) {
      io.out(`${String(s.line).padStart(5)}  ${s.type.padEnd(34)} ${outcomeText(s)}${s.mismatch ? `  MISMATCH: ${s.mismatch}` : ''}`);
      for (const v of s.violations) io.out(`       VIOLATION${v.expected ? ' (expected)' : ''} ${v.property}: ${v.message}`);
    }
  }
  collect?.(file, result.phases);
  const d = digest(result.world);
  const v = result.violated;
  const stats = result.world.stats;
  if (json) {
    io.out(JSON.stringify({
      schema: REPLAY_SUMMARY_SCHEMA,
      events: result.steps.length,
      mismatches: result.mismatches,
      violated: v ? { line: v.line, type: v.type, violations: v.violations.filter((x) => !x.expected) } : null,
      expectedViolations: result.expectedViolations,
      digest: d,
      ...(opts.stats ? { stats, phases: result.phases.map((p) => ({ name: p.name, stats: p.stats, perEvent: perEvent(p.stats) })) } : {}),
    }));
  } else {
    if (v) io.out(`violation after line ${v.line} (${v.type}): ${[...new Set(v.violations.filter((x) => !x.expected).map((x) => x.property))].join(', ')}; ${opts['keep-going'] === true ? 'replay went on (--keep-going)' : 'replay stopped (--keep-going carries on)'}`);
    if (opts.stats) {
      io.out(`stats: ${Object.entries(stats).map(([k, n]) => `${k}=${n}`).join(' ')}`);
      if (result.phases.length > 1) for (const line of costTable(result.phases.map((p) => ({ label: p.name, stats: p.stats })))) io.out(`  ${line}`);
    }
    const unexpected = result.steps.reduce((n, s) => n + s.violations.filter((x) => !x.expected).length, 0);
    io.out(`${result.steps.length} events, ${stats.refused} refused, ${result.mismatches} expectation mismatches, ${unexpected} violations${result.expectedViolations ? ` (and ${result.expectedViolations} expected)` : ''}`);
    io.out(`digest ${d}`);
  }
  return v || result.mismatches > 0 ? EXIT.violation : EXIT.ok;
}
