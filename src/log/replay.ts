/**
 * Replays log entries through the reducer, checking the author's expectations and every property
 * after each event. Pure: results are data; the CLI renders them. Replay stops at the first event
 * after which a property is violated unexpectedly, since later states build on a broken one; a
 * line that names the violation it expects (`expectViolation`) carries the story on, and so does
 * `keepGoing` for any. A violation is reported once, at the event that caused it: a broken
 * invariant that stays broken is not reported again at every later line.
 */
import type { LogEntry } from '../events/types.js';
import type { FieldSpec } from '../events/fields.js';
import { EVENT_SCHEMA } from '../events/schema.js';
import { eventPages, limitedField } from '../kernel/limits.js';
import { MAX_PAGES_PER_EVENT } from '../model/page-limit.js';
import { compareState } from './state-expect.js';
import type { Outcome } from '../model/outcome.js';
import { applyEvent } from '../kernel/reduce.js';
import { emptyWorld, type Stats, type World } from '../model/world.js';
import { MODEL_ONLY_CODES } from '../model/codes.js';
import { statsDelta, type PhaseStats } from './stats.js';
import { checkProperties, deviceCheck, notePre, PROPERTIES, type Property, type Violation } from '../../properties/index.js';
import { applyStepped, stepWhere } from '../kernel/stepped.js';
import { bytesToHex, hex } from '../util/hex.js';

export interface StepResult {
  readonly line: number;
  readonly type: string;
  readonly outcome: Outcome;
  /** Why the outcome differs from the line's `expect`, if it does. */
  readonly mismatch?: string;
  /** The violations this event caused (not those still standing from earlier lines); `expected` when the line named them. */
  readonly violations: readonly ReplayViolation[];
}

export interface ReplayViolation extends Violation {
  readonly expected?: true;
}

export interface ReplayResult {
  readonly steps: StepResult[];
  readonly world: World;
  readonly mismatches: number;
  /** The first step with a violation its line did not expect, if any. */
  readonly violated?: StepResult;
  /** Violations lines expected (and got). */
  readonly expectedViolations: number;
  /**
   * A line no log should hold: a create naming an object that still exists (the model answered
   * ID_IN_USE, which no kernel call does). Replay stops there; the CLI reports it as an input error.
   */
  readonly inputError?: { readonly line: number; readonly field: string; readonly reason: string };
  /** Cost counters of each phase, in log order; lines before the first `phase` are "setup". */
  readonly phases: PhaseStats[];
}

/** Compares an outcome with an expectation; returns a description of the difference. */
export function compareExpectation(entry: LogEntry, outcome: Outcome): string | undefined {
  const x = entry.expect;
  if (!x) return undefined;
  if (x.code !== outcome.code) return `expected ${x.code}, got ${outcome.code}`;
  if (x.data !== undefined) {
    const got = outcome.data ? bytesToHex(outcome.data) : '(no data)';
    if (got !== bytesToHex(x.data)) return `expected data ${bytesToHex(x.data)}, got ${got}`;
  }
  if (x.value !== undefined && x.value !== outcome.value) {
    return `expected value ${hex(x.value)}, got ${outcome.value === undefined ? '(none)' : hex(outcome.value)}`;
  }
  return undefined;
}

/**
 * A line with a `step`: the event runs step by step, the actor's event (if any) at the step point
 * the line names, and what a device could observe is checked there (or, with no actor, at every
 * step point). The step point must have the name the line gives it.
 */
function applyAtStep(world: World, entry: LogEntry, props: readonly Property[]): { outcome: Outcome; mismatch?: string; violations: Violation[] } {
  const mark = entry.step!;
  const run = applyStepped(world, entry.event, { inject: mark.actor && { at: mark.at, actor: mark.actor }, observe: deviceCheck(props) });
  const here = run.points[mark.at]?.name;
  const actual = mark.actor ? run.actorOutcome : undefined;
  let mismatch = compareExpectation(entry, run.outcome);
  if (here !== mark.point) mismatch ??= `step point ${mark.at} is ${here === undefined ? 'never reached' : `"${here}"`} here, not "${mark.point}"`;
  if (actual && mark.actorExpect) {
    const m = compareExpectation({ ...entry, expect: mark.actorExpect }, actual);
    if (m) mismatch ??= `the actor's ${mark.actor!.type}: ${m}`;
  }
  const v = run.violation;
  const where = (x: Violation): Violation => ({ ...x, message: `${x.message} (${stepWhere(entry.event.type, v!.at, v!.point, mark.actor?.type)})` });
  return { outcome: run.outcome, mismatch, violations: v ? v.violations.map(where) : [] };
}

export interface ReplayOptions {
  readonly properties?: readonly Property[];
  readonly world?: World;
  /** Carry on past unexpected violations too (the result still names the first). */
  readonly keepGoing?: boolean;
  /** Stop after the entry of this log line (vkm replay --state-at). */
  readonly stopAfterLine?: number;
  /** The most pages one event may touch (kernel/limits.ts); the default otherwise. */
  readonly pageLimit?: number;
}

/** The input error for a create whose id names an object that still exists. */
function idInUse(entry: LogEntry): { line: number; field: string; reason: string } {
  const specs = EVENT_SCHEMA[entry.event.type] as Record<string, FieldSpec>;
  const [field, spec] = Object.entries(specs).find(([, s]) => s.kind === 'create')!;
  const kind = (spec as { object: string }).object;
  const id = (entry.event as unknown as Record<string, string>)[field];
  return { line: entry.line, field, reason: `id "${id}" names a ${kind} that still exists (an earlier line created it and it is not gone): a new ${kind} needs a new id` };
}

/** The input error for an event asking for more pages than the run allows. */
function overLimit(world: World, entry: LogEntry): { line: number; field: string; reason: string } {
  const pages = eventPages(world, entry.event);
  return {
    line: entry.line,
    field: limitedField(entry.event),
    reason: `${entry.event.type} asks to touch ${pages} pages, more than this run's limit of ${world.pageLimit}; raise it with --limit pages-per-event=N (at most ${MAX_PAGES_PER_EVENT})`,
  };
}

const violationKey = (v: Violation) => `${v.property}\u0000${v.message}`;

export function replay(entries: readonly LogEntry[], opts: ReplayOptions = {}): ReplayResult {
  const world = opts.world ?? emptyWorld();
  if (opts.pageLimit !== undefined) world.pageLimit = opts.pageLimit;
  const props = opts.properties ?? PROPERTIES;
  const steps: StepResult[] = [];
  let mismatches = 0;
  let expectedViolations = 0;
  let violated: StepResult | undefined;
  // violations already reported and still standing: an invariant stays broken after the line that broke it.
  let standing = new Set<string>();
  const phases: PhaseStats[] = [];
  let phase = 'setup';
  let start: Stats = { ...world.stats };
  const close = () => {
    const stats = statsDelta(start, world.stats);
    const same = phases.find((p) => p.name === phase);
    if (same) for (const k of Object.keys(stats) as (keyof Stats)[]) same.stats[k] += stats[k];
    else if (stats.events > 0) phases.push({ name: phase, stats });
    start = { ...world.stats };
  };
  for (const entry of entries) {
    if (entry.phase !== undefined && entry.phase !== phase) {
      close();
      phase = entry.phase;
    }
    const pre = notePre(world, props);
    const stepped = entry.step ? applyAtStep(world, entry, props) : undefined;
    const outcome = stepped ? stepped.outcome : applyEvent(world, entry.event);
    if (MODEL_ONLY_CODES.has(outcome.code)) {
      close();
      const inputError = outcome.code === 'ID_IN_USE' ? idInUse(entry) : overLimit(world, entry);
      return { steps, world, mismatches, phases, expectedViolations, ...(violated ? { violated } : {}), inputError };
    }
    const all = [...(stepped?.violations ?? []), ...checkProperties(world, props, { event: entry.event, outcome, pre, actor: entry.step?.actor })];
    const wanted = new Set(entry.expectViolation ?? []);
    const missing = [...wanted].filter((p) => !all.some((v) => v.property === p));
    const mismatch =
      stepped?.mismatch ??
      compareExpectation(entry, outcome) ??
      (missing.length ? `expected a violation of ${missing.join(', ')}, got none` : undefined) ??
      (entry.expectState ? compareState(world, entry.expectState) : undefined);
    if (mismatch) mismatches++;
    const violations: ReplayViolation[] = all.filter((v) => !standing.has(violationKey(v))).map((v) => (wanted.has(v.property) ? { ...v, expected: true } : v));
    standing = new Set(all.map(violationKey));
    expectedViolations += violations.filter((v) => v.expected).length;
    const step = { line: entry.line, type: entry.event.type, outcome, mismatch, violations };
    steps.push(step);
    if (violations.some((v) => !v.expected)) {
      violated ??= step;
      if (!opts.keepGoing) break;
    }
    if (opts.stopAfterLine !== undefined && entry.line >= opts.stopAfterLine) break;
  }
  close();
  return { steps, world, mismatches, phases, expectedViolations, ...(violated ? { violated } : {}) };
}
