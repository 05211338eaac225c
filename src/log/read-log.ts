/**
 * Reads a JSON Lines event log into entries. Pure (text in, entries or an InputError out): every
 * problem names the file, the 1-based line, the column where JSON itself is broken, and the field.
 * Ids must be introduced by a creating event on an earlier line; a closed fd is not an input
 * error (the kernel answers EBADF), but an id no line ever introduced is.
 */
import { InputError } from '../errors.js';
import type { FieldSpec, ObjectKind } from '../events/fields.js';
import { parseEventObject } from '../events/parse.js';
import { isTrailer } from './chain.js';
import { logLines } from './log-lines.js';
import { propertyNamed, propertyNames } from '../../properties/index.js';
import { didYouMean } from '../util/suggest.js';
import { jsonErrorOffset } from './json-error-column.js';
import { EVENT_SCHEMA } from '../events/schema.js';
import type { EventType, LogEntry } from '../events/types.js';

export type ReadResult = { ok: true; entries: LogEntry[]; warnings: string[] } | { ok: false; error: InputError };

/** Longest line accepted; longer lines are refused rather than parsed. */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;


type IdSpec = Extract<FieldSpec, { object: ObjectKind }>;

/** Each event type's id fields, built once. */
const ID_FIELDS = new Map(
  Object.entries(EVENT_SCHEMA).map(([t, specs]) => [
    t as EventType,
    Object.entries(specs as Record<string, FieldSpec>).filter((f): f is [string, IdSpec] => 'object' in f[1]),
  ]),
);

/** Tracks which ids earlier lines introduced, and of which kind. */
export class IdScope {
  private readonly kinds = new Map<string, ObjectKind>();

  /** Checks and records the ids of one event; returns the problem, if any. */
  visit(type: EventType, event: Record<string, unknown>): { field: string; reason: string } | undefined {
    const specs = ID_FIELDS.get(type)!;
    for (const [field, spec] of specs) {
      const id = event[field] as string;
      const known = this.kinds.get(id);
      if (known !== undefined && known !== spec.object) {
        return { field, reason: `id "${id}" names a ${known}, not a ${spec.object}` };
      }
      if (spec.kind === 'ref' && known === undefined) {
        return { field, reason: `unknown ${spec.object} id "${id}": no earlier line creates it` };
      }
    }
    for (const [field, spec] of specs) if (spec.kind !== 'ref') this.kinds.set(event[field] as string, spec.object);
    return undefined;
  }
}

function isTrailerText(text: string): boolean {
  try {
    return isTrailer(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Parses one line's text; `undefined` for a blank line. */
export function readLine(text: string, file: string, line: number, ids: IdScope): LogEntry | InputError | undefined {
  if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return undefined;
  if (text.length > MAX_LINE_CHARS) return new InputError({ file, line }, `line is longer than ${MAX_LINE_CHARS} characters`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
    return new InputError({ file, line, column: jsonErrorOffset(text) + 1 }, `invalid JSON: ${reason}`);
  }
  const parsed = parseEventObject(raw);
  if (!parsed.ok) return new InputError({ file, line, field: parsed.problem.field }, parsed.problem.reason);
  const { event, expect, expectViolation, expectState, comment, phase, chain, step } = parsed.value;
  for (const name of expectViolation ?? []) {
    if (!propertyNamed(name)) return new InputError({ file, line, field: 'expectViolation' }, `unknown property "${name}"${didYouMean(name, propertyNames())} (properties: ${propertyNames().join(', ')})`);
  }
  // the actor's event runs first, inside this one: its ids are checked first.
  const actorProblem = step?.actor && ids.visit(step.actor.type, step.actor as unknown as Record<string, unknown>);
  if (actorProblem) return new InputError({ file, line, field: `step.actor.${actorProblem.field}` }, actorProblem.reason);
  const idProblem = ids.visit(event.type, event as unknown as Record<string, unknown>);
  if (idProblem) return new InputError({ file, line, field: idProblem.field }, idProblem.reason);
  return { event, line, expect, ...(expectViolation ? { expectViolation } : {}), ...(expectState ? { expectState } : {}), comment, phase, chain, ...(step ? { step } : {}) };
}

/**
 * Parses a whole log text. A last line that has no newline and does not parse is what a killed
 * writer leaves behind: it is dropped with a warning. Any other bad line is an error.
 */
export function readLog(text: string, file: string): ReadResult {
  const ids = new IdScope();
  const entries: LogEntry[] = [];
  const warnings: string[] = [];
  const lines = logLines(text);
  const unterminated = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    // a written log's trailer (log/chain.ts) closes it; `vkm replay --verify` checks it.
    if (text.startsWith('{"end":') && isTrailerText(text)) {
      if (lines.slice(i + 1).some((l) => l.trim() !== '')) return { ok: false, error: new InputError({ file, line: i + 1, field: 'end' }, 'a trailer must be the last line') };
      break;
    }
    const r = readLine(text, file, i + 1, ids);
    if (r instanceof InputError) {
      if (i === unterminated && /invalid JSON/.test(r.reason)) {
        warnings.push(`${file}:${i + 1}: ignoring a truncated last line (no newline, incomplete JSON): read ${entries.length} events`);
        break;
      }
      return { ok: false, error: r };
    }
    if (r) entries.push(r);
  }
  return { ok: true, entries, warnings };
}
