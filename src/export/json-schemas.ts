/**
 * Every JSON Schema vkm publishes, by the command whose `--json` output it describes. `vkm CMD
 * --schema` prints its command's list, `vkm schemas` all of them at once (one array, each with a
 * distinct `$id`, ready for a validator's addSchema). Pure.
 */
import { logLineSchema } from '../events/json-schema.js';
import { checkJsonSchemas } from './check-json-schema.js';
import { GRAPH_JSON_SCHEMA } from './json.js';
import { eventsSchema, pathsSchema, variantsSchema } from './listing-json-schemas.js';
import { replayStepSchema, replaySummarySchema, stateSchema } from './replay-json-schema.js';

type Schema = Record<string, unknown>;

/** What `--schema` prints per command: the schemas of its --json output, and of the log lines it embeds. */
export const JSON_SCHEMAS_OF: Readonly<Record<string, () => Schema[]>> = {
  check: checkJsonSchemas,
  mutants: checkJsonSchemas,
  replay: () => [replayStepSchema(), replaySummarySchema(), stateSchema()],
  variants: () => [variantsSchema()],
  paths: () => [pathsSchema()],
  graph: () => [{ ...GRAPH_JSON_SCHEMA }],
};

/**
 * Every schema once, in a stable order: the log line's (`vkm events --schema`, the document
 * editors want) and the event listing's (`vkm events --json`) with the commands' own.
 */
export function allJsonSchemas(): Schema[] {
  const out = new Map<string, Schema>();
  for (const list of [[logLineSchema()], ...Object.values(JSON_SCHEMAS_OF).map((f) => f()), [eventsSchema()]]) for (const s of list) out.set(String(s.$id), s);
  return [...out.values()];
}
