/**
 * The JSON Schemas (draft 2020-12) of `vkm check --json` (and `vkm mutants --json`): one object
 * per run, then, with runs of the built-in families, one coverage object. Each object names its
 * schema and version in `schema`, so a CI tool can pick the schema and notice a new version.
 * A counterexample's trace lines follow the log line schema (`vkm events --schema`). Pure.
 */
import { LOG_SCHEMA_ID, logLineSchema, schemaId } from '../events/json-schema.js';

export const CHECK_RUN_SCHEMA = 'vkm-check-run/1';
export const CHECK_COVERAGE_SCHEMA = 'vkm-check-coverage/1';

const count = { type: 'integer', minimum: 0 } as const;
const verdict = {
  oneOf: [
    { type: 'object', properties: { verdict: { const: 'pass' } }, required: ['verdict'], additionalProperties: false },
    { type: 'object', properties: { verdict: { const: 'violation' }, property: { type: 'string' } }, required: ['verdict', 'property'], additionalProperties: false },
  ],
} as const;
const eventCoverage = {
  type: 'object',
  properties: { offered: count, ok: count, newStates: count, interleaved: count, refused: { type: 'object', additionalProperties: count } },
  required: ['offered', 'ok', 'newStates', 'interleaved', 'refused'],
  additionalProperties: false,
} as const;

/** The schema of one run's object. */
export function checkRunSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(CHECK_RUN_SCHEMA),
    title: 'vkm check --json: one run',
    type: 'object',
    properties: {
      schema: { const: CHECK_RUN_SCHEMA },
      scenario: { type: 'string' },
      variant: { type: ['string', 'null'] },
      design: { type: 'string' },
      params: { type: 'object', additionalProperties: { type: 'integer' } },
      expected: verdict,
      verdict: { enum: ['pass', 'violation', 'incomplete'] },
      asExpected: { type: 'boolean' },
      states: count,
      transitions: count,
      maxDepth: count,
      durationMs: count,
      bytesPerState: { type: 'number', minimum: 0 },
      collisionProbability: { type: 'number', minimum: 0, maximum: 1 },
      incompleteReason: { enum: [null, 'max-states', 'max-depth', 'time-limit', 'max-memory', 'interrupted'] },
      violations: {
        type: 'array',
        items: {
          type: 'object',
          properties: { property: { type: 'string' }, message: { type: 'string' }, trace: { type: 'array', items: { $ref: LOG_SCHEMA_ID } } },
          required: ['property', 'message', 'trace'],
          additionalProperties: false,
        },
      },
      covers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, hit: { type: 'boolean' } }, required: ['name', 'hit'], additionalProperties: false } },
      deadlocks: count,
      coverage: {
        type: 'object',
        properties: { events: { type: 'object', additionalProperties: eventCoverage }, ops: { type: 'object', additionalProperties: count } },
        required: ['events', 'ops'],
        additionalProperties: false,
      },
    },
    required: ['schema', 'scenario', 'variant', 'design', 'params', 'expected', 'verdict', 'asExpected', 'states', 'transitions', 'maxDepth', 'durationMs', 'incompleteReason', 'violations', 'covers'],
    additionalProperties: false,
  };
}

/** The schema of the closing coverage object: each design family's gaps. */
export function checkCoverageSchema(): Record<string, unknown> {
  const names = { type: 'array', items: { type: 'string' } };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(CHECK_COVERAGE_SCHEMA),
    title: 'vkm check --json: action coverage by design family',
    type: 'object',
    properties: {
      schema: { const: CHECK_COVERAGE_SCHEMA },
      coverage: {
        type: 'object',
        properties: {
          families: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, neverOffered: names, neverSucceeded: names, opsNeverCalled: names }, required: ['name', 'neverOffered', 'neverSucceeded', 'opsNeverCalled'], additionalProperties: false },
          },
          other: { type: 'object', properties: { opsNeverCalled: names }, required: ['opsNeverCalled'], additionalProperties: false },
        },
        required: ['families'],
        additionalProperties: false,
      },
    },
    required: ['schema', 'coverage'],
    additionalProperties: false,
  };
}

/** Every schema a --json reader may need, the log line's included (the traces refer to it). */
export function checkJsonSchemas(): Record<string, unknown>[] {
  return [logLineSchema(), checkRunSchema(), checkCoverageSchema()];
}
