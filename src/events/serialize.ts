/** Writes an event as one JSON log line, the exact inverse of parseEventObject. Pure. */
import { bytesToHex, hex } from '../util/hex.js';
import type { FieldSpec } from './fields.js';
import { EVENT_SCHEMA } from './schema.js';
import type { Expectation, ModelEvent, StepMark } from './types.js';

export function eventToJson(e: ModelEvent, expect?: Expectation): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.type };
  const specs = EVENT_SCHEMA[e.type] as Record<string, FieldSpec>;
  const fields = e as unknown as Record<string, unknown>;
  for (const [name, spec] of Object.entries(specs)) {
    const v = fields[name];
    if (v === undefined) continue;
    if (spec.kind === 'u64') out[name] = hex(v as bigint);
    else if (spec.kind === 'bytes') out[name] = bytesToHex(v as Uint8Array);
    else out[name] = v;
  }
  if (expect) {
    out.expect =
      expect.data === undefined && expect.value === undefined
        ? expect.code
        : {
            code: expect.code,
            ...(expect.data ? { data: bytesToHex(expect.data) } : {}),
            ...(expect.value !== undefined ? { value: hex(expect.value) } : {}),
          };
  }
  return out;
}

export function eventToLine(e: ModelEvent, expect?: Expectation): string {
  return JSON.stringify(eventToJson(e, expect));
}

/** A line's `step` field, the exact inverse of its parser: the actor's event with the outcome it is expected to have. */
export function stepToJson(step: StepMark): Record<string, unknown> {
  return { at: step.at, point: step.point, ...(step.actor ? { actor: eventToJson(step.actor, step.actorExpect) } : {}) };
}
