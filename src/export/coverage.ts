/**
 * Action coverage as text: per run, every event type with how often it was offered, succeeded,
 * led to a new state and which refusals it reached, and how often each op was called; per design family, the events of its
 * vocabulary no run offered or saw succeed; and the ops no run called. Pure.
 */
import { mergeCoverage, type Coverage } from '../check/coverage.js';
import { FAMILIES, familyOf, type Family } from '../check/families.js';
import type { RunRecord } from '../check/run.js';
import { REFERENCE_OPS } from '../designs/reference.js';

/** One run's coverage table. */
export function coverageLines(c: Coverage): string[] {
  const lines = [`    ${'event'.padEnd(34)} ${'offered'.padStart(8)} ${'ok'.padStart(8)} ${'new'.padStart(7)} ${'inside'.padStart(7)}  refused`];
  for (const [type, e] of Object.entries(c.events)) {
    const refused = Object.entries(e.refused).map(([code, n]) => `${code} ${n}`).join(', ');
    lines.push(`    ${type.padEnd(34)} ${String(e.offered).padStart(8)} ${String(e.ok).padStart(8)} ${String(e.newStates).padStart(7)} ${String(e.interleaved).padStart(7)}  ${refused || '-'}`);
  }
  // op calls, several to a line: an op is called by many events, so it gets no row of its own.
  const calls = Object.entries(c.ops).sort(([a], [b]) => (a < b ? -1 : 1)).map(([op, n]) => `${op} ${n}`);
  lines.push('    op calls:');
  for (let line = '', i = 0; i < calls.length; i++) {
    line += (line ? ', ' : '') + calls[i];
    if (line.length > 90 || i === calls.length - 1) {
      lines.push(`      ${line}`);
      line = '';
    }
  }
  return lines;
}

/** What a family's runs never did with its vocabulary: events never offered, and events never seen to succeed. */
export interface FamilyGaps {
  readonly name: string;
  readonly neverOffered: string[];
  readonly neverSucceeded: string[];
  /** Ops of the family that no run called. */
  readonly opsNeverCalled: string[];
}

/** What a family's runs never did: events of its vocabulary never offered or never seen to succeed, ops never called. */
export function vocabularyGaps(f: Family, runs: readonly Coverage[]): FamilyGaps {
  const all = mergeCoverage(runs);
  return {
    name: f.name,
    neverOffered: f.vocabulary.filter((t) => !all.events[t]),
    neverSucceeded: f.vocabulary.filter((t) => all.events[t] && all.events[t].ok === 0),
    opsNeverCalled: f.ops.filter((op) => !all.ops[op]),
  };
}

/** The vocabulary line of a family, as `vkm check --coverage` prints it. */
export function vocabularyLine(g: FamilyGaps): string {
  const parts = [
    g.neverOffered.length ? `never offered: ${g.neverOffered.join(', ')}` : '',
    g.neverSucceeded.length ? `never succeeded: ${g.neverSucceeded.join(', ')}` : '',
    g.opsNeverCalled.length ? `ops never called: ${g.opsNeverCalled.join(', ')}` : '',
  ].filter(Boolean);
  return `${g.name}: ${parts.length ? parts.join('; ') : 'every event of its vocabulary offered and seen to succeed, every op called'}`;
}

/**
 * The ops of `all` that no run called, among the ops tables the runs used at all (for runs of no
 * family, such as a user's scenarios): a table no run touched belongs to another family.
 */
export function opsNeverCalled(all: readonly string[], runs: readonly Coverage[]): string[] {
  const called = mergeCoverage(runs).ops;
  const used = new Set(Object.keys(called).map((op) => op.slice(0, op.indexOf('.'))));
  return all.filter((op) => !called[op] && used.has(op.slice(0, op.indexOf('.'))));
}

/**
 * Per design family present among the runs, what its runs never did, with the family's merged
 * counts; for runs of no family (a user's scenarios), the ops never called in the tables they used.
 */
export function coverageByFamily(records: readonly RunRecord[]): { families: (FamilyGaps & { coverage: Coverage })[]; other?: { opsNeverCalled: string[] } } | undefined {
  const withCoverage = records.filter((r) => r.result.coverage);
  if (withCoverage.length === 0) return undefined;
  const families = FAMILIES.flatMap((f) => {
    const runs = withCoverage.filter((r) => familyOf(r.scenario) === f).map((r) => r.result.coverage!);
    return runs.length ? [{ ...vocabularyGaps(f, runs), coverage: mergeCoverage(runs) }] : [];
  });
  const others = withCoverage.filter((r) => !familyOf(r.scenario)).map((r) => r.result.coverage!);
  const all = Object.entries(REFERENCE_OPS).flatMap(([t, ops]) => Object.keys(ops).map((o) => `${t}.${o}`));
  return { families, ...(others.length ? { other: { opsNeverCalled: opsNeverCalled(all, others) } } : {}) };
}
