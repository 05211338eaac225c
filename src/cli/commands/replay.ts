/** `vkm replay FILE`: renders a replay result as text or JSON Lines. */
import { readLog } from '../../log/read-log.js';
import { verifyChain } from '../../log/chain.js';
import { replay, type StepResult } from '../../log/replay.js';
import { digest } from '../../model/digest.js';
import { bytesToHex, hex } from '../../util/hex.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';

function outcomeText(s: StepResult): string {
  let t = s.outcome.code;
  if (s.outcome.value !== undefined) t += ` value=${hex(s.outcome.value)}`;
  if (s.outcome.data !== undefined) t += ` data=${s.outcome.data.length > 32 ? bytesToHex(s.outcome.data.subarray(0, 32)) + '…' : bytesToHex(s.outcome.data)}`;
  return t;
}

function stepJson(s: StepResult): Record<string, unknown> {
  return {
    line: s.line,
    type: s.type,
    code: s.outcome.code,
    ...(s.outcome.value !== undefined ? { value: hex(s.outcome.value) } : {}),
    ...(s.outcome.data !== undefined ? { data: bytesToHex(s.outcome.data) } : {}),
    ...(s.mismatch ? { mismatch: s.mismatch } : {}),
    ...(s.violations.length ? { violations: s.violations } : {}),
  };
}

export function replayCommand(file: string, opts: Record<string, string | true>, io: Io): ExitCode {
  const read = readLog(io.readFile(file), file);
  if (!read.ok) {
    io.err(`vkm: ${read.error.message}`);
    return EXIT.usage;
  }
  for (const w of read.warnings) io.err(`vkm: warning: ${w}`);
  if (opts.verify === true) {
    const broken = verifyChain(read.entries);
    if (broken) {
      io.err(`vkm: ${file}:${broken.line}: field "chain": ${broken.reason}`);
      return EXIT.usage;
    }
  }
  const result = replay(read.entries);
  const json = opts.json === true;
  const quiet = opts.quiet === true;
  for (const s of result.steps) {
    if (json) io.out(JSON.stringify(stepJson(s)));
    else if (!quiet || s.mismatch || s.violations.length) {
      io.out(`${String(s.line).padStart(5)}  ${s.type.padEnd(34)} ${outcomeText(s)}${s.mismatch ? `  MISMATCH: ${s.mismatch}` : ''}`);
      for (const v of s.violations) io.out(`       VIOLATION ${v.property}: ${v.message}`);
    }
  }
  const d = digest(result.world);
  const v = result.violated;
  const stats = result.world.stats;
  if (json) {
    io.out(JSON.stringify({
      summary: true,
      events: result.steps.length,
      mismatches: result.mismatches,
      violated: v ? { line: v.line, type: v.type, violations: v.violations } : null,
      digest: d,
      ...(opts.stats ? { stats } : {}),
    }));
  } else {
    if (v) io.out(`violation after line ${v.line} (${v.type}): ${[...new Set(v.violations.map((x) => x.property))].join(', ')}; replay stopped`);
    if (opts.stats) io.out(`stats: ${Object.entries(stats).map(([k, n]) => `${k}=${n}`).join(' ')}`);
    io.out(`${result.steps.length} events, ${stats.refused} refused, ${result.mismatches} expectation mismatches, ${v ? v.violations.length : 0} violations`);
    io.out(`digest ${d}`);
  }
  return v || result.mismatches > 0 ? EXIT.violation : EXIT.ok;
}
