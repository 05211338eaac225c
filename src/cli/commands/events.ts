/** `vkm events`: the event vocabulary, printed from EVENT_SCHEMA so it can never drift from the parser. */
import type { FieldSpec } from '../../events/fields.js';
import { logLineSchema } from '../../events/json-schema.js';
import { EVENTS_SCHEMA } from '../../export/listing-json-schemas.js';
import { EVENT_SCHEMA } from '../../events/schema.js';
import { FIELD_DOCS } from '../../events/field-docs.js';
import { codesOf } from '../../events/refusals.js';
import type { EventType } from '../../events/types.js';
import { OUTCOME_CODES } from '../../model/codes.js';
import { hex } from '../../util/hex.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';

function describeField(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'u64':
      return spec.optional ? 'u64 hex, optional' : spec.default !== undefined ? `u64 hex = ${hex(spec.default)}` : 'u64 hex';
    case 'u32':
      return spec.default !== undefined ? `u32 = ${spec.default}` : 'u32';
    case 'bytes':
      return 'hex bytes';
    case 'name':
      return `name${spec.default !== undefined ? ` = "${spec.default}"` : ''}`;
    case 'hash':
      return 'sha256:<64 hex>, optional';
    case 'bool':
      return spec.default !== undefined ? `bool = ${spec.default}` : 'bool';
    case 'enum':
      return `${spec.values.join('|')}${spec.default !== undefined ? ` = ${spec.default}` : spec.optional ? ', optional' : ''}`;
    case 'ref':
      return `${spec.object} id`;
    case 'create':
      return `new ${spec.object} id`;
    case 'declare':
      return `${spec.object} id (declared on first use)`;
  }
}

/** Each event type's fields (kind, and units or flag bits where the kind does not say them) and the codes it can answer. */
function listing(): Record<string, { fields: Record<string, { kind: string; doc?: string }>; codes: string[] }> {
  return Object.fromEntries(
    Object.entries(EVENT_SCHEMA).map(([t, specs]) => {
      const docs = FIELD_DOCS[t as EventType] ?? {};
      const fields = Object.fromEntries(Object.entries(specs).map(([f, s]) => [f, { kind: describeField(s as FieldSpec), ...(docs[f] ? { doc: docs[f] } : {}) }]));
      return [t, { fields, codes: codesOf(t as EventType) }];
    }),
  );
}

export function eventsCommand(opts: Record<string, string | true>, io: Io): ExitCode {
  if (opts.schema === true) {
    io.out(JSON.stringify(logLineSchema(), null, 2));
    return EXIT.ok;
  }
  if (opts.json === true) {
    io.out(JSON.stringify({ schema: EVENTS_SCHEMA, events: listing(), codes: OUTCOME_CODES }, null, 2));
    return EXIT.ok;
  }
  for (const [type, { fields, codes }] of Object.entries(listing())) {
    io.out(type);
    for (const [field, f] of Object.entries(fields)) io.out(`    ${field.padEnd(11)} ${f.kind}${f.doc ? `; ${f.doc}` : ''}`);
    io.out(`    ${'codes'.padEnd(11)} ${codes[0]} | ${codes.slice(1).join(', ') || 'never refused'}`);
  }
  io.out('\nOutcome codes (an "expect" must name one; a value such as a status is written in hex):');
  for (const [code, meaning] of Object.entries(OUTCOME_CODES)) io.out(`    ${code.padEnd(24)} ${meaning}`);
  io.out('\nEvery line may also carry "expect" (an outcome code, or {"code","data","value"}), "expectViolation" and "comment".');
  io.out('vkm events --schema prints the JSON Schema (draft 2020-12) of a log line.');
  return EXIT.ok;
}
