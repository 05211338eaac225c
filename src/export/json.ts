/**
 * The JSON export of a graph, and its schema (JSON Schema draft 2020-12), which the README
 * documents and the tests check outputs against.
 */
import { schemaId } from '../events/json-schema.js';
import type { Graph } from './graph.js';

export const GRAPH_SCHEMA = 'vkm-graph/1';

export const GRAPH_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaId(GRAPH_SCHEMA),
  title: 'vkm graph',
  type: 'object',
  required: ['format', 'name', 'kind', 'nodes', 'edges'],
  additionalProperties: false,
  properties: {
    format: { const: GRAPH_SCHEMA },
    name: { type: 'string' },
    kind: { enum: ['machine', 'reachable'] },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'label'],
        additionalProperties: false,
        properties: { id: { type: 'string' }, label: { type: 'string' }, initial: { type: 'boolean' } },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'label'],
        additionalProperties: false,
        properties: {
          from: { type: 'string' },
          to: { type: 'string' },
          label: { type: 'string', description: 'event name, or the event with its parameters' },
          refused: { type: 'string', description: 'the code of a refusal (self-loop)' },
          actions: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

export function toJson(g: Graph): string {
  return JSON.stringify({ format: GRAPH_SCHEMA, ...g }, null, 2) + '\n';
}
