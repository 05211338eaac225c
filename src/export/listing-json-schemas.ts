/**
 * The JSON Schemas (draft 2020-12) of the listings: `vkm variants --json` (the designs and seeded
 * faults), `vkm paths --json` (test paths through a lifecycle machine) and `vkm events --json`
 * (the event vocabulary). Each output is one object naming its schema in `schema`. Pure.
 */
import { closedObject, documentSchema } from '../events/json-schema.js';
import { EVENT_TYPES, type EventType } from '../events/types.js';
import { EVENT_SCHEMA } from '../events/schema.js';
import { OUTCOME_CODES } from '../model/codes.js';

export const VARIANTS_SCHEMA = 'vkm-variants/1';
export const PATHS_SCHEMA = 'vkm-paths/1';
export const EVENTS_SCHEMA = 'vkm-events/1';

const text = { type: 'string' } as const;

export function variantsSchema(): Record<string, unknown> {
  const variant = closedObject(
    {
      name: { ...text, description: 'what --variant takes' },
      kind: { enum: ['design', 'fault'] },
      base: { type: ['string', 'null'], description: 'the design it derives from; null for the reference' },
      replaces: { type: 'array', items: text, description: '"table.op" of every op replaced, and "machine NAME.guard" of every machine guard or action' },
      checkedBy: { ...text, description: 'the scenarios that check it, comma-separated, or "-"' },
      expected: { ...text, description: '"pass", "violation of PROPERTY", several joined by " / ", or "-"' },
      module: { type: ['string', 'null'], description: 'the --load module that registered it' },
      description: text,
    },
    ['name', 'kind', 'base', 'replaces', 'checkedBy', 'expected', 'module', 'description'],
  );
  return documentSchema(VARIANTS_SCHEMA, 'vkm variants --json', { schema: { const: VARIANTS_SCHEMA }, variants: { type: 'array', items: variant } }, ['schema', 'variants']);
}

export function pathsSchema(): Record<string, unknown> {
  const path = closedObject(
    {
      kind: { enum: ['state', 'transition'] },
      target: { ...text, description: 'the state reached, or "source --EVENT--> target", or "state (refused CODE)"' },
      events: { type: 'array', items: text, description: 'the machine events to send from the initial state' },
      description: text,
    },
    ['kind', 'target', 'events', 'description'],
  );
  return documentSchema(
    PATHS_SCHEMA,
    'vkm paths --json',
    {
      schema: { const: PATHS_SCHEMA },
      machine: text,
      design: { type: ['string', 'null'], description: 'the design whose guards the machine runs; null for the reference' },
      paths: { type: 'array', items: path },
    },
    ['schema', 'machine', 'design', 'paths'],
  );
}

/** One event type: each of its fields (kind, and units or flag bits) and the codes it can answer, success first. */
function eventEntry(t: EventType): Record<string, unknown> {
  const fields = Object.keys(EVENT_SCHEMA[t]);
  const field = closedObject({ kind: text, doc: text }, ['kind']);
  return closedObject(
    {
      fields: closedObject(Object.fromEntries(fields.map((f) => [f, field])), fields),
      codes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: Object.keys(OUTCOME_CODES) } },
    },
    ['fields', 'codes'],
  );
}

export function eventsSchema(): Record<string, unknown> {
  const codes = Object.keys(OUTCOME_CODES);
  return documentSchema(
    EVENTS_SCHEMA,
    'vkm events --json: every event type with a description of each field',
    {
      schema: { const: EVENTS_SCHEMA },
      events: closedObject(Object.fromEntries(EVENT_TYPES.map((t) => [t, eventEntry(t)])), EVENT_TYPES),
      codes: closedObject(Object.fromEntries(codes.map((c) => [c, text])), codes, { description: 'every outcome code with its meaning' }),
    },
    ['schema', 'events', 'codes'],
  );
}
