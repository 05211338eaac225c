/**
 * Replays log entries through the reducer, checking the author's expectations and every property
 * after each event. Pure: results are data; the CLI renders them. Replay stops at the first event
 * after which a property is violated, since later states would build on a broken one.
 */
import type { LogEntry } from '../events/types.js';
import type { Outcome } from '../model/outcome.js';
import { applyEvent } from '../model/reduce.js';
import { emptyWorld, type World } from '../model/world.js';
import { checkProperties, notePre, PROPERTIES, type Property, type Violation } from '../../properties/index.js';
import { bytesToHex, hex } from '../util/hex.js';

export interface StepResult {
  readonly line: number;
  readonly type: string;
  readonly outcome: Outcome;
  /** Why the outcome differs from the line's `expect`, if it does. */
  readonly mismatch?: string;
  readonly violations: readonly Violation[];
}

export interface ReplayResult {
  readonly steps: StepResult[];
  readonly world: World;
  readonly mismatches: number;
  /** The first violating step, if any. */
  readonly violated?: StepResult;
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

export interface ReplayOptions {
  readonly properties?: readonly Property[];
  readonly world?: World;
}

export function replay(entries: readonly LogEntry[], opts: ReplayOptions = {}): ReplayResult {
  const world = opts.world ?? emptyWorld();
  const props = opts.properties ?? PROPERTIES;
  const steps: StepResult[] = [];
  let mismatches = 0;
  for (const entry of entries) {
    const pre = notePre(world, props);
    const outcome = applyEvent(world, entry.event);
    const mismatch = compareExpectation(entry, outcome);
    if (mismatch) mismatches++;
    const violations = checkProperties(world, props, { event: entry.event, outcome, pre });
    const step = { line: entry.line, type: entry.event.type, outcome, mismatch, violations };
    steps.push(step);
    if (violations.length > 0) return { steps, world, mismatches, violated: step };
  }
  return { steps, world, mismatches };
}
