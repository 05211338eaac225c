/**
 * The JSON Schemas (draft 2020-12) of `vkm replay --json`: one object per event, then one summary
 * per log. Each names its schema in `schema`, which is how a reader tells a step from a summary.
 * Codes and event types are enumerated from the model's own tables, so a new code cannot appear
 * in the output without appearing here. Pure.
 */
import { schemaId } from '../events/json-schema.js';
import { HASH_PATTERN, HEX_U64, PHASE_PATTERN } from '../events/fields.js';
import { EVENT_TYPES } from '../events/types.js';
import { COST_COLUMNS } from '../log/stats.js';
import { OUTCOME_CODES } from '../model/codes.js';
import { STATE_SCHEMA } from './state.js';

export const REPLAY_STEP_SCHEMA = 'vkm-replay-step/1';
export const REPLAY_SUMMARY_SCHEMA = 'vkm-replay-summary/1';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const count = { type: 'integer', minimum: 0 } as const;
const violations = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    properties: { property: { type: 'string' }, message: { type: 'string' }, expected: { const: true, description: 'the line named this property in expectViolation' } },
    required: ['property', 'message'],
    additionalProperties: false,
  },
} as const;
const eventType = { enum: [...EVENT_TYPES] };
/** Every counter of the world's statistics; the comparison's columns are the ones a reader can rely on. */
const stats = { type: 'object', properties: Object.fromEntries(COST_COLUMNS.map(([k]) => [k, count])), additionalProperties: count, required: COST_COLUMNS.map(([k]) => k) };

/** One replayed event: the log line it came from, the kernel's answer, and what broke. */
export function replayStepSchema(): Record<string, unknown> {
  return {
    $schema: DRAFT,
    $id: schemaId(REPLAY_STEP_SCHEMA),
    title: 'vkm replay --json: one event',
    type: 'object',
    properties: {
      schema: { const: REPLAY_STEP_SCHEMA },
      line: { type: 'integer', minimum: 1, description: 'the line of the log the event was read from' },
      type: eventType,
      code: { enum: Object.keys(OUTCOME_CODES) },
      value: { type: 'string', pattern: HEX_U64.source, description: 'the value returned with the code (a hypercall\'s return value, a status)' },
      data: { type: 'string', pattern: '^([0-9a-f]{2})*$', description: 'bytes read, as plain lower-case hex' },
      mismatch: { type: 'string', description: 'why the outcome differs from the line\'s "expect"' },
      violations,
    },
    required: ['schema', 'line', 'type', 'code'],
    additionalProperties: false,
  };
}

/** The summary after a log's events: counts, the first violation, the digest, and with --stats the cost counters. */
export function replaySummarySchema(): Record<string, unknown> {
  return {
    $schema: DRAFT,
    $id: schemaId(REPLAY_SUMMARY_SCHEMA),
    title: 'vkm replay --json: a log\'s summary',
    type: 'object',
    properties: {
      schema: { const: REPLAY_SUMMARY_SCHEMA },
      events: count,
      mismatches: count,
      violated: {
        oneOf: [
          { type: 'null' },
          { type: 'object', properties: { line: { type: 'integer', minimum: 1 }, type: eventType, violations }, required: ['line', 'type', 'violations'], additionalProperties: false },
        ],
      },
      digest: { type: 'string', pattern: HASH_PATTERN.source },
      expectedViolations: { ...count, description: 'violations the log\'s lines expected (expectViolation) and got' },
      stats,
      phases: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: { name: { type: 'string', pattern: PHASE_PATTERN.source }, stats, perEvent: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } } },
          required: ['name', 'stats', 'perEvent'],
          additionalProperties: false,
        },
      },
    },
    required: ['schema', 'events', 'mismatches', 'violated', 'digest', 'expectedViolations'],
    dependentRequired: { stats: ['phases'], phases: ['stats'] },
    additionalProperties: false,
  };
}

/** `vkm replay --state-at LINE`: the whole state after a line, tables decoded (export/state.ts). */
export function stateSchema(): Record<string, unknown> {
  const list = { type: 'array', items: { type: 'object' } };
  return {
    $schema: DRAFT,
    $id: schemaId(STATE_SCHEMA),
    title: 'vkm replay --state-at: the state after a log line',
    type: 'object',
    properties: {
      schema: { const: STATE_SCHEMA },
      line: { type: 'integer', minimum: 1 },
      after: eventType,
      arch: { enum: ['x86', 's390', 'ppc64'] },
      kernel: { type: 'string', pattern: '^[0-9]+\\.[0-9]+$' },
      design: { type: 'string' },
      processes: list,
      pins: { type: 'object', propertyNames: { pattern: HEX_U64.source }, additionalProperties: { type: 'integer' } },
      vms: list,
      containers: list,
      groups: list,
      devices: list,
      domains: list,
      zpci: list,
      tceTables: list,
    },
    required: ['schema', 'line', 'after', 'arch', 'kernel', 'design', 'processes', 'pins', 'vms', 'containers', 'groups', 'devices', 'domains', 'zpci', 'tceTables'],
    additionalProperties: false,
  };
}
