/** Parses the CLI's structured option values: `--param G=3,I=2,L=1`, `--preemptions N`. Pure. */
import { UsageError } from '../errors.js';

export function parseParamList(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new UsageError(`--param expects name=integer pairs separated by commas, got "${part}"`);
    if (m[1] in out) throw new UsageError(`--param gives ${m[1]} twice`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** --preemptions: 0 or 1, 1 when not given. */
export function preemptionsOf(opts: Record<string, string | true>): number {
  const v = opts.preemptions;
  if (v === undefined) return 1;
  if (v !== '0' && v !== '1') throw new UsageError(`--preemptions must be 0 or 1, not "${v}"`);
  return Number(v);
}
