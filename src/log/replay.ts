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
import { eventFrames, eventPages, limitedField } from '../kernel/limits.js';
import { MAX_FRAMES } from '../memory/frames.js';
import { MAX_PAGES_PER_EVENT } from '../model/page-limit.js';
import { compareState } from './state-expect.js';
import type { Outcome } from '../model/outcome.js';
import { emptyWorld, type Stats, type World } from '../model/world.js';
import { MODEL_ONLY_CODES } from '../model/codes.js';
import { statsDelta, type PhaseStats } from './stats.js';
import { checkOne, deviceCheck, notePre, PROPERTIES, transitionInScope, type Property, type Violation } from '../../properties/index.js';
import { applyInPlace, WorldJournal } from '../kernel/in-place.js';
import { sealWorld } from '../kernel/seal.js';
import { WorldView } from '../../properties/view.js';
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
interface SteppedLine {
  readonly outcome: Outcome;
  readonly mismatch?: string;
  readonly violations: Violation[];
}

function applyAtStep(world: World, entry: LogEntry, props: readonly Property[]): SteppedLine {
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
  /**
   * Check every property after every event. Otherwise an invariant that declares what it reads is
   * checked again only when the event changed one of those parts, or a frame it read (the same
   * verdicts, tested).
   */
  readonly checkAll?: boolean;
  /** The most frames in use, counting what an event could allocate (kernel/limits.ts); the host's 1 GiB otherwise. */
  readonly frameLimit?: number;
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

/** The input error for an event asking for more pages, or more frames, than the run allows. */
function overLimit(world: World, entry: LogEntry): { line: number; field: string; reason: string } {
  const pages = eventPages(world, entry.event);
  if (pages > world.pageLimit) {
    return {
      line: entry.line,
      field: limitedField(entry.event),
      reason: `${entry.event.type} asks to touch ${pages} pages, more than this run's limit of ${world.pageLimit}; raise it with --limit pages-per-event=N (at most ${MAX_PAGES_PER_EVENT})`,
    };
  }
  const inUse = world.frames.owner.size;
  return {
    line: entry.line,
    field: pages > 0 ? limitedField(entry.event) : 'type',
    reason: `${entry.event.type} could allocate up to ${eventFrames(pages)} host frames with ${inUse} in use, more than this run's limit of ${world.frames.limit} frames (${world.frames.limit / 256} MiB); raise it with --limit frames=N (at most ${MAX_FRAMES})`,
  };
}

/** An invariant's verdict where it was last checked, with the frames it read then (when it reads frames). */
interface Verdict {
  readonly found: readonly Violation[];
  readonly frames?: ReadonlySet<number>;
}

/** Whether `p` must be checked again: it may read something the event just journalled in `j` changed. */
function stale(p: Property, j: WorldJournal, last: Verdict | undefined): boolean {
  return last === undefined || p.kind === 'transition' || p.reads === undefined || j.changedAny(p.reads, last.frames);
}

/**
 * The properties' violations after one event, in the properties' order. Every transition property
 * whose scope (`on`, `changes`) the step is in is checked, and so is every invariant that may read
 * something the event changed: a part of the world it declares in `reads` that the event
 * replaced, or a frame it read when last checked (or one that does not say what it reads). The
 * others keep their last verdict: they would read the same values.
 */
function checkChanged(world: World, props: readonly Property[], j: WorldJournal, verdicts: Map<Property, Verdict> | undefined, step: Parameters<typeof checkOne>[2]): Violation[] {
  const view = new WorldView(world);
  const pool = world.frames;
  const out: Violation[] = [];
  for (const p of props) {
    // a step out of a transition property's scope (`on`, `changes`) cannot break it (--check-all checks it anyway).
    if (p.kind === 'transition' && verdicts !== undefined && step !== undefined && !transitionInScope(p, step.event.type, j)) continue;
    const last = verdicts?.get(p);
    if (!stale(p, j, last)) {
      out.push(...last!.found);
      continue;
    }
    // every check records the frames it reads, so a walk it leaves in the view's cache knows them too.
    const recording = new Set<number>();
    pool.reads = recording;
    let found: readonly Violation[];
    try {
      found = checkOne(view, p, step);
    } finally {
      pool.reads = undefined;
    }
    if (p.kind === 'invariant') verdicts?.set(p, { found, frames: p.reads?.includes('frames') ? recording : undefined });
    out.push(...found);
  }
  return out;
}

const violationKey = (v: Violation) => `${v.property}\u0000${v.message}`;

export function replay(entries: readonly LogEntry[], opts: ReplayOptions = {}): ReplayResult {
  const world = opts.world ?? emptyWorld();
  if (opts.pageLimit !== undefined) world.pageLimit = opts.pageLimit;
  if (opts.frameLimit !== undefined) world.frames.limit = opts.frameLimit;
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
  // events are applied in place to the sealed world and journalled: the journal says which parts
  // of the world an event changed, and an invariant reading none of them keeps its last verdict.
  sealWorld(world);
  const journal = new WorldJournal();
  const verdicts = new Map<Property, Verdict>();
  for (const entry of entries) {
    if (entry.phase !== undefined && entry.phase !== phase) {
      close();
      phase = entry.phase;
    }
    const pre = notePre(world, props);
    let stepped: SteppedLine | undefined;
    // a throw inside applyInPlace leaves the world as it was and the journal idle.
    const outcome = entry.step
      ? applyInPlace(world, journal, entry.event, (w) => (stepped = applyAtStep(w, entry, props)).outcome, entry.step.actor ? `${entry.event.type}+${entry.step.actor.type}` : entry.event.type)
      : applyInPlace(world, journal, entry.event);
    let all: Violation[];
    try {
      all = MODEL_ONLY_CODES.has(outcome.code) ? [] : [...(stepped?.violations ?? []), ...checkChanged(world, props, journal, opts.checkAll ? undefined : verdicts, { event: entry.event, outcome, pre, actor: entry.step?.actor })];
    } finally {
      journal.commit();
    }
    if (MODEL_ONLY_CODES.has(outcome.code)) {
      close();
      const inputError = outcome.code === 'ID_IN_USE' ? idInUse(entry) : overLimit(world, entry);
      return { steps, world, mismatches, phases, expectedViolations, ...(violated ? { violated } : {}), inputError };
    }
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
