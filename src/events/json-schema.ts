/**
 * The log format as a JSON Schema (draft 2020-12), generated from the one event vocabulary
 * (EVENT_SCHEMA) and the parser's own patterns, so editors and CI can check a JSONL log line by
 * line. It states what a line must look like; what only the whole log can tell (an id used before
 * an event creates it) stays the reader's to check. Pure.
 */
import { ACTOR_EVENT_TYPES, CHAIN_PATTERN, HASH_PATTERN, HEX_U64, ID_PATTERN, NAME_PATTERN, PHASE_PATTERN, type FieldSpec } from './fields.js';
import { EVENT_SCHEMA } from './schema.js';
import { FIELD_DOCS } from './field-docs.js';
import type { EventType } from './types.js';
import { OUTCOME_CODES } from '../model/codes.js';

/** Where every vkm schema's `$id` lives: a reserved domain, since the ids name schemas, not downloads. */
export function schemaId(name: string): string {
  return `https://vfio-kvm-model.invalid/schema/${name}`;
}

export const LOG_SCHEMA_ID = schemaId('log-line/1');

type Json = Record<string, unknown>;

export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/** An object with exactly these properties, the named ones required. */
export function closedObject(properties: Json, required: readonly string[], extra: Json = {}): Json {
  return { type: 'object', properties, required: [...required], additionalProperties: false, ...extra };
}

/** A published schema: its draft, the `$id` of its name, a title, and a closed object. */
export function documentSchema(name: string, title: string, properties: Json, required: readonly string[], extra: Json = {}): Json {
  return { $schema: DRAFT_2020_12, $id: schemaId(name), title, ...closedObject(properties, required, extra) };
}

const U32_MAX = 0xffff_ffff;
const HEX_BYTES = '^(0[xX])?([0-9a-fA-F]{2})*$';

function fieldSchema(spec: FieldSpec): Json {
  switch (spec.kind) {
    case 'u64':
      return { type: 'string', pattern: HEX_U64.source, description: 'a 64-bit value as a 0x-prefixed hex string' };
    case 'u32':
      return { oneOf: [{ type: 'integer', minimum: 0, maximum: U32_MAX }, { type: 'string', pattern: '^0x0*[0-9a-fA-F]{1,8}$' }] };
    case 'bytes':
      return { type: 'string', pattern: HEX_BYTES, description: 'bytes as an even-length hex string' };
    case 'name':
      return { type: 'string', pattern: NAME_PATTERN.source };
    case 'hash':
      return { type: 'string', pattern: HASH_PATTERN.source };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { enum: [...spec.values] };
    case 'ref':
    case 'create':
    case 'declare':
      return { type: 'string', pattern: ID_PATTERN.source, description: `the id of a ${spec.object}` };
  }
}

const required = (spec: FieldSpec) => !('default' in spec && spec.default !== undefined) && !('optional' in spec && spec.optional);

/** One event type's line: its fields, and the keys every line may carry. */
function eventLine(type: string, specs: Record<string, FieldSpec>, withStep: boolean): Json {
  const props: Json = { type: { const: type } };
  const docs = FIELD_DOCS[type as EventType] ?? {};
  for (const [f, s] of Object.entries(specs)) props[f] = docs[f] ? { ...fieldSchema(s), description: docs[f] } : fieldSchema(s);
  Object.assign(props, {
    expect: { $ref: '#/$defs/expect' },
    expectViolation: {
      oneOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'array', minItems: 1, maxItems: 64, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } }],
      description: 'the properties this event is expected to violate; replay carries on past them',
    },
    expectState: { $ref: '#/$defs/expectState' },
    comment: { type: 'string' },
    chain: { type: 'string', pattern: CHAIN_PATTERN.source },
    phase: { type: 'string', pattern: PHASE_PATTERN.source },
    ...(withStep ? { step: { $ref: '#/$defs/step' } } : {}),
  });
  const line: Json = { type: 'object', properties: props, required: ['type', ...Object.entries(specs).filter(([, s]) => required(s)).map(([f]) => f)], additionalProperties: false };
  // logs written before designs were ops tables name host.boot's design `variant`: read as design, never both.
  if (type === 'host.boot') {
    props.variant = { ...fieldSchema(specs.design), deprecated: true, description: 'the old name of design' };
    line.not = { properties: { design: true, variant: true }, required: ['design', 'variant'] };
  }
  return line;
}

/** The JSON Schema of one line of a vkm log. */
export function logLineSchema(): Json {
  const entries = Object.entries(EVENT_SCHEMA) as [string, Record<string, FieldSpec>][];
  const byType = (types: readonly string[], withStep: boolean) =>
    entries.filter(([t]) => types.includes(t)).map(([t, specs]) => ({ if: { properties: { type: { const: t } }, required: ['type'] }, then: eventLine(t, specs, withStep) }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: LOG_SCHEMA_ID,
    title: 'vkm log line',
    description: 'One line of a vkm JSONL log: an event of the vocabulary (vkm events), with optional expect, comment, phase, chain and step.',
    type: 'object',
    // a written log ends with a trailer (log/chain.ts): the event count and the last chain link.
    if: { properties: { end: true }, required: ['end'] },
    then: {
      properties: {
        end: {
          type: 'object',
          properties: { lines: { type: 'integer', minimum: 0 }, chain: { type: 'string', pattern: CHAIN_PATTERN.source } },
          required: ['lines', 'chain'],
          additionalProperties: false,
        },
      },
      required: ['end'],
      additionalProperties: false,
    },
    else: { required: ['type'], properties: { type: { enum: entries.map(([t]) => t) } }, allOf: byType(entries.map(([t]) => t), true) },
    $defs: {
      expect: {
        oneOf: [
          { enum: Object.keys(OUTCOME_CODES), description: 'an outcome code (vkm events lists them)' },
          {
            type: 'object',
            properties: { code: { enum: Object.keys(OUTCOME_CODES) }, data: { type: 'string', pattern: HEX_BYTES }, value: { type: 'string', pattern: HEX_U64.source } },
            required: ['code'],
            additionalProperties: false,
          },
        ],
      },
      expectState: {
        type: 'object',
        description: 'facts about the state after the event: locked_vm pages per process, pin counts per frame, table entries per container and bus address, zPCI function state and error events',
        properties: {
          lockedVm: { type: 'object', maxProperties: 64, additionalProperties: { type: 'integer', minimum: 0 } },
          pins: { type: 'object', maxProperties: 64, propertyNames: { pattern: HEX_U64.source }, additionalProperties: { type: 'integer', minimum: 0 } },
          entry: {
            type: 'object',
            maxProperties: 64,
            additionalProperties: { type: 'object', maxProperties: 64, propertyNames: { pattern: HEX_U64.source }, additionalProperties: { oneOf: [{ type: 'null' }, { type: 'string', pattern: HEX_U64.source }] } },
          },
          zpci: {
            type: 'object',
            maxProperties: 64,
            additionalProperties: {
              type: 'object',
              properties: {
                state: { type: 'string', maxLength: 32 },
                errors: {
                  type: 'array',
                  maxItems: 64,
                  items: { type: 'object', properties: { pec: { type: 'string', pattern: HEX_U64.source }, addr: { type: 'string', pattern: HEX_U64.source } }, required: ['pec', 'addr'], additionalProperties: false },
                },
              },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
      step: {
        type: 'object',
        properties: { at: { type: 'integer', minimum: 0, maximum: U32_MAX }, point: { type: 'string', maxLength: 200 }, actor: { $ref: '#/$defs/actor' } },
        required: ['at', 'point'],
        additionalProperties: false,
      },
      // an actor's event runs whole: one of the actor types, with no step of its own.
      actor: { type: 'object', required: ['type'], properties: { type: { enum: [...ACTOR_EVENT_TYPES] } }, allOf: byType(ACTOR_EVENT_TYPES, false) },
    },
  };
}
