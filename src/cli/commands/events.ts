/** `vkm events`: the event vocabulary, printed from EVENT_SCHEMA so it can never drift from the parser. */
import type { FieldSpec } from '../../events/fields.js';
import { logLineSchema } from '../../events/json-schema.js';
import { EVENTS_SCHEMA } from '../../export/listing-json-schemas.js';
import { EVENT_SCHEMA } from '../../events/schema.js';
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

export function eventsCommand(opts: Record<string, string | true>, io: Io): ExitCode {
  if (opts.schema === true) {
    io.out(JSON.stringify(logLineSchema(), null, 2));
    return EXIT.ok;
  }
  if (opts.json === true) {
    const out = Object.fromEntries(
      Object.entries(EVENT_SCHEMA).map(([t, specs]) => [t, Object.fromEntries(Object.entries(specs).map(([f, s]) => [f, describeField(s as FieldSpec)]))]),
    );
    io.out(JSON.stringify({ schema: EVENTS_SCHEMA, events: out }, null, 2));
    return EXIT.ok;
  }
  for (const [type, specs] of Object.entries(EVENT_SCHEMA)) {
    io.out(type);
    for (const [field, spec] of Object.entries(specs)) io.out(`    ${field.padEnd(11)} ${describeField(spec as FieldSpec)}`);
  }
  io.out('\nEvery line may also carry "expect" (an outcome code, or {"code","data","value"}) and "comment".');
  io.out('vkm events --schema prints the JSON Schema (draft 2020-12) of a log line.');
  return EXIT.ok;
}
