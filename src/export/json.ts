/**
 * The JSON export of a graph, and its schema (JSON Schema draft 2020-12), which the README
 * documents and the tests check outputs against.
 */
import type { Graph } from './graph.js';

export const GRAPH_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'vkm graph',
  type: 'object',
  required: ['format', 'name', 'kind', 'nodes', 'edges'],
  additionalProperties: false,
  properties: {
    format: { const: 'vkm-graph/1' },
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
  return JSON.stringify({ format: 'vkm-graph/1', ...g }, null, 2) + '\n';
}
