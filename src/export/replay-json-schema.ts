/**
 * The JSON Schemas (draft 2020-12) of `vkm replay --json`: one object per event, then one summary
 * per log. Each names its schema in `schema`, which is how a reader tells a step from a summary.
 * Codes and event types are enumerated from the model's own tables, so a new code cannot appear
 * in the output without appearing here. Pure.
 */
import { closedObject, documentSchema } from '../events/json-schema.js';
import { HASH_PATTERN, HEX_U64, PHASE_PATTERN } from '../events/fields.js';
import { EVENT_TYPES } from '../events/types.js';
import { COST_COLUMNS } from '../log/stats.js';
import { OUTCOME_CODES } from '../model/codes.js';
import { STATE_SCHEMA } from './state.js';

export const REPLAY_STEP_SCHEMA = 'vkm-replay-step/1';
export const REPLAY_SUMMARY_SCHEMA = 'vkm-replay-summary/1';

const count = { type: 'integer', minimum: 0 } as const;
const violations = {
  type: 'array',
  minItems: 1,
  items: closedObject({ property: { type: 'string' }, message: { type: 'string' }, expected: { const: true, description: 'the line named this property in expectViolation' } }, ['property', 'message']),
};
const eventType = { enum: [...EVENT_TYPES] };
/** Every counter of the world's statistics; the comparison's columns are the ones a reader can rely on. */
const stats = { type: 'object', properties: Object.fromEntries(COST_COLUMNS.map(([k]) => [k, count])), additionalProperties: count, required: COST_COLUMNS.map(([k]) => k) };

/** One replayed event: the log line it came from, the kernel's answer, and what broke. */
export function replayStepSchema(): Record<string, unknown> {
  return documentSchema(
    REPLAY_STEP_SCHEMA,
    'vkm replay --json: one event',
    {
      schema: { const: REPLAY_STEP_SCHEMA },
      line: { type: 'integer', minimum: 1, description: 'the line of the log the event was read from' },
      type: eventType,
      code: { enum: Object.keys(OUTCOME_CODES) },
      value: { type: 'string', pattern: HEX_U64.source, description: 'the value returned with the code (a hypercall\'s return value, a status)' },
      data: { type: 'string', pattern: '^([0-9a-f]{2})*$', description: 'bytes read, as plain lower-case hex' },
      mismatch: { type: 'string', description: 'why the outcome differs from the line\'s "expect"' },
      violations,
    },
    ['schema', 'line', 'type', 'code'],
  );
}

/** The summary after a log's events: counts, the first violation, the digest, and with --stats the cost counters. */
export function replaySummarySchema(): Record<string, unknown> {
  const phase = closedObject({ name: { type: 'string', pattern: PHASE_PATTERN.source }, stats, perEvent: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } } }, ['name', 'stats', 'perEvent']);
  return documentSchema(
    REPLAY_SUMMARY_SCHEMA,
    'vkm replay --json: a log\'s summary',
    {
      schema: { const: REPLAY_SUMMARY_SCHEMA },
      events: count,
      mismatches: count,
      violated: { oneOf: [{ type: 'null' }, closedObject({ line: { type: 'integer', minimum: 1 }, type: eventType, violations }, ['line', 'type', 'violations'])] },
      digest: { type: 'string', pattern: HASH_PATTERN.source },
      expectedViolations: { ...count, description: 'violations the log\'s lines expected (expectViolation) and got' },
      stats,
      phases: { type: 'array', minItems: 1, items: phase },
    },
    ['schema', 'events', 'mismatches', 'violated', 'digest', 'expectedViolations'],
    { dependentRequired: { stats: ['phases'], phases: ['stats'] } },
  );
}

/** `vkm replay --state-at LINE`: the whole state after a line, tables decoded (export/state.ts). */
export function stateSchema(): Record<string, unknown> {
  const list = { type: 'array', items: { type: 'object' } };
  const lists = ['processes', 'vms', 'containers', 'groups', 'devices', 'domains', 'zpci', 'tceTables'];
  return documentSchema(
    STATE_SCHEMA,
    'vkm replay --state-at: the state after a log line',
    {
      schema: { const: STATE_SCHEMA },
      line: { type: 'integer', minimum: 1 },
      after: eventType,
      arch: { enum: ['x86', 's390', 'ppc64'] },
      kernel: { type: 'string', pattern: '^[0-9]+\\.[0-9]+$' },
      design: { type: 'string' },
      pins: { type: 'object', propertyNames: { pattern: HEX_U64.source }, additionalProperties: { type: 'integer' } },
      ...Object.fromEntries(lists.map((k) => [k, list])),
    },
    ['schema', 'line', 'after', 'arch', 'kernel', 'design', 'pins', ...lists],
  );
}
