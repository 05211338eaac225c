/**
 * The JSON Schemas (draft 2020-12) of the listings: `vkm variants --json` (the designs and seeded
 * faults), `vkm paths --json` (test paths through a lifecycle machine) and `vkm events --json`
 * (the event vocabulary). Each output is one object naming its schema in `schema`. Pure.
 */
import { schemaId } from '../events/json-schema.js';
import { EVENT_TYPES, type EventType } from '../events/types.js';
import { EVENT_SCHEMA } from '../events/schema.js';
import { OUTCOME_CODES } from '../model/codes.js';

export const VARIANTS_SCHEMA = 'vkm-variants/1';
export const PATHS_SCHEMA = 'vkm-paths/1';
export const EVENTS_SCHEMA = 'vkm-events/1';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const text = { type: 'string' } as const;

export function variantsSchema(): Record<string, unknown> {
  return {
    $schema: DRAFT,
    $id: schemaId(VARIANTS_SCHEMA),
    title: 'vkm variants --json',
    type: 'object',
    properties: {
      schema: { const: VARIANTS_SCHEMA },
      variants: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { ...text, description: 'what --variant takes' },
            kind: { enum: ['design', 'fault'] },
            base: { type: ['string', 'null'], description: 'the design it derives from; null for the reference' },
            replaces: { type: 'array', items: text, description: '"table.op" of every op replaced, and "machine NAME.guard" of every machine guard or action' },
            checkedBy: { ...text, description: 'the scenarios that check it, comma-separated, or "-"' },
            expected: { ...text, description: '"pass", "violation of PROPERTY", several joined by " / ", or "-"' },
            module: { type: ['string', 'null'], description: 'the --load module that registered it' },
            description: text,
          },
          required: ['name', 'kind', 'base', 'replaces', 'checkedBy', 'expected', 'module', 'description'],
          additionalProperties: false,
        },
      },
    },
    required: ['schema', 'variants'],
    additionalProperties: false,
  };
}

export function pathsSchema(): Record<string, unknown> {
  return {
    $schema: DRAFT,
    $id: schemaId(PATHS_SCHEMA),
    title: 'vkm paths --json',
    type: 'object',
    properties: {
      schema: { const: PATHS_SCHEMA },
      machine: text,
      design: { type: ['string', 'null'], description: 'the design whose guards the machine runs; null for the reference' },
      paths: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            kind: { enum: ['state', 'transition'] },
            target: { ...text, description: 'the state reached, or "source --EVENT--> target", or "state (refused CODE)"' },
            events: { type: 'array', items: text, description: 'the machine events to send from the initial state' },
            description: text,
          },
          required: ['kind', 'target', 'events', 'description'],
          additionalProperties: false,
        },
      },
    },
    required: ['schema', 'machine', 'design', 'paths'],
    additionalProperties: false,
  };
}

/** One event type: each of its fields (kind, and units or flag bits) and the codes it can answer, success first. */
function eventEntry(t: EventType): Record<string, unknown> {
  const fields = Object.keys(EVENT_SCHEMA[t]);
  const field = { type: 'object', properties: { kind: text, doc: text }, required: ['kind'], additionalProperties: false };
  return {
    type: 'object',
    properties: {
      fields: { type: 'object', properties: Object.fromEntries(fields.map((f) => [f, field])), required: fields, additionalProperties: false },
      codes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: Object.keys(OUTCOME_CODES) } },
    },
    required: ['fields', 'codes'],
    additionalProperties: false,
  };
}

export function eventsSchema(): Record<string, unknown> {
  return {
    $schema: DRAFT,
    $id: schemaId(EVENTS_SCHEMA),
    title: 'vkm events --json: every event type with a description of each field',
    type: 'object',
    properties: {
      schema: { const: EVENTS_SCHEMA },
      events: {
        type: 'object',
        properties: Object.fromEntries(EVENT_TYPES.map((t) => [t, eventEntry(t)])),
        required: [...EVENT_TYPES],
        additionalProperties: false,
      },
      codes: {
        type: 'object',
        description: 'every outcome code with its meaning',
        properties: Object.fromEntries(Object.keys(OUTCOME_CODES).map((c) => [c, text])),
        required: Object.keys(OUTCOME_CODES),
        additionalProperties: false,
      },
    },
    required: ['schema', 'events', 'codes'],
    additionalProperties: false,
  };
}
