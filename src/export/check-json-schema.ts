/**
 * The JSON Schemas (draft 2020-12) of `vkm check --json` (and `vkm mutants --json`): one object
 * per run, then, with runs of the built-in families, one coverage object. Each object names its
 * schema and version in `schema`, so a CI tool can pick the schema and notice a new version.
 * A counterexample's trace lines follow the log line schema (`vkm events --schema`). Pure.
 */
import { closedObject, documentSchema, LOG_SCHEMA_ID, logLineSchema } from '../events/json-schema.js';

export const CHECK_RUN_SCHEMA = 'vkm-check-run/1';
export const CHECK_COVERAGE_SCHEMA = 'vkm-check-coverage/1';

const count = { type: 'integer', minimum: 0 } as const;
const text = { type: 'string' } as const;
const verdict = { oneOf: [closedObject({ verdict: { const: 'pass' } }, ['verdict']), closedObject({ verdict: { const: 'violation' }, property: text }, ['verdict', 'property'])] };
const eventCoverage = closedObject(
  { offered: count, ok: count, newStates: count, interleaved: count, refused: { type: 'object', additionalProperties: count } },
  ['offered', 'ok', 'newStates', 'interleaved', 'refused'],
);

/** The schema of one run's object. */
export function checkRunSchema(): Record<string, unknown> {
  return documentSchema(
    CHECK_RUN_SCHEMA,
    'vkm check --json: one run',
    {
      schema: { const: CHECK_RUN_SCHEMA },
      scenario: text,
      variant: { type: ['string', 'null'] },
      design: text,
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
      violations: { type: 'array', items: closedObject({ property: text, message: text, trace: { type: 'array', items: { $ref: LOG_SCHEMA_ID } } }, ['property', 'message', 'trace']) },
      covers: { type: 'array', items: closedObject({ name: text, hit: { type: 'boolean' } }, ['name', 'hit']) },
      deadlocks: count,
      coverage: closedObject({ events: { type: 'object', additionalProperties: eventCoverage }, ops: { type: 'object', additionalProperties: count } }, ['events', 'ops']),
    },
    ['schema', 'scenario', 'variant', 'design', 'params', 'expected', 'verdict', 'asExpected', 'states', 'transitions', 'maxDepth', 'durationMs', 'incompleteReason', 'violations', 'covers'],
  );
}

/** The schema of the closing coverage object: each design family's gaps. */
export function checkCoverageSchema(): Record<string, unknown> {
  const names = { type: 'array', items: text };
  const family = closedObject({ name: text, neverOffered: names, neverSucceeded: names, opsNeverCalled: names }, ['name', 'neverOffered', 'neverSucceeded', 'opsNeverCalled']);
  return documentSchema(
    CHECK_COVERAGE_SCHEMA,
    'vkm check --json: action coverage by design family',
    {
      schema: { const: CHECK_COVERAGE_SCHEMA },
      coverage: closedObject({ families: { type: 'array', items: family }, other: closedObject({ opsNeverCalled: names }, ['opsNeverCalled']) }, ['families']),
    },
    ['schema', 'coverage'],
  );
}

/** Every schema a --json reader may need, the log line's included (the traces refer to it). */
export function checkJsonSchemas(): Record<string, unknown>[] {
  return [logLineSchema(), checkRunSchema(), checkCoverageSchema()];
}
