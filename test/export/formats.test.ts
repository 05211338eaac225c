/** Exports: DOT that Graphviz accepts, well-formed SVG, JSON that follows its documented schema. */
import { describe, expect, it } from 'vitest';
import { MACHINES, TABLES, type MachineName } from '../../machines/index.js';
import { scenarioNamed } from '../../src/check/scenarios/index.js';
import { toDot } from '../../src/export/dot.js';
import { machineGraph, type Graph } from '../../src/export/graph.js';
import { GRAPH_JSON_SCHEMA, toJson } from '../../src/export/json.js';
import { reachableGraph } from '../../src/export/reachable.js';
import { dotToSvg } from '../../src/export/svg.js';

const names = Object.keys(MACHINES) as MachineName[];
const machineGraphs = names.map((n) => machineGraph(MACHINES[n], TABLES[n], { refusals: true }));
const reachable = (() => {
  const r = reachableGraph(scenarioNamed('spapr-lifecycle')!, { T: 0 }, { maxStates: 500 });
  if (!r.ok) throw new Error('unexpectedly large');
  return r.graph;
})();
const graphs: Graph[] = [...machineGraphs, reachable];

/** Well-formedness of XML as far as tags go: every element closed in order, one root. */
function wellFormed(xml: string): boolean {
  const body = xml.replace(/<\?xml[^>]*\?>/, '').replace(/<!DOCTYPE[^>]*>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (close) {
      if (stack.pop() !== name) return false;
    } else if (!self) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  return stack.length === 0 && roots === 1;
}

/** A validator for the subset of JSON Schema the graph schema uses. */
function validate(schema: Record<string, unknown>, v: unknown, path = '$'): string[] {
  const errs: string[] = [];
  if ('const' in schema && v !== schema.const) errs.push(`${path}: not ${schema.const}`);
  if ('enum' in schema && !(schema.enum as unknown[]).includes(v)) errs.push(`${path}: not in enum`);
  const type = schema.type as string | undefined;
  if (type === 'object') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${path}: not an object`];
    const o = v as Record<string, unknown>;
    for (const r of (schema.required as string[]) ?? []) if (!(r in o)) errs.push(`${path}: missing ${r}`);
    const props = (schema.properties as Record<string, Record<string, unknown>>) ?? {};
    for (const k of Object.keys(o)) {
      if (!(k in props)) {
        if (schema.additionalProperties === false) errs.push(`${path}: unexpected ${k}`);
      } else errs.push(...validate(props[k], o[k], `${path}.${k}`));
    }
  } else if (type === 'array') {
    if (!Array.isArray(v)) return [`${path}: not an array`];
    v.forEach((x, i) => errs.push(...validate(schema.items as Record<string, unknown>, x, `${path}[${i}]`)));
  } else if (type === 'string' && typeof v !== 'string') errs.push(`${path}: not a string`);
  else if (type === 'boolean' && typeof v !== 'boolean') errs.push(`${path}: not a boolean`);
  return errs;
}

describe('graph exports', () => {
  it.each(graphs.map((g) => [g.name, g] as const))('%s: Graphviz accepts the DOT and renders well-formed SVG', async (_n, g) => {
    const svg = await dotToSvg(toDot(g));
    expect(svg).toMatch(/<svg[\s\S]*<\/svg>/);
    expect(wellFormed(svg)).toBe(true);
    // Graphviz writes some characters as numeric entities ("-" as &#45;).
    const text = svg.replace(/&#(\d+);/g, (_m, d) => String.fromCharCode(Number(d)));
    for (const n of g.nodes) expect(text).toContain(n.label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('should make Graphviz refuse broken DOT with its own message', async () => {
    await expect(dotToSvg('digraph { a -> ')).rejects.toThrow(/graphviz:/);
  });

  it.each(graphs.map((g) => [g.name, g] as const))('%s: the JSON follows the documented schema', (_n, g) => {
    const json = JSON.parse(toJson(g));
    expect(validate(GRAPH_JSON_SCHEMA as unknown as Record<string, unknown>, json)).toEqual([]);
    expect(json.nodes.length).toBe(g.nodes.length);
  });

  it('should catch a planted schema violation (the validator is not vacuous)', () => {
    const json = JSON.parse(toJson(machineGraphs[0]));
    json.edges[0].weight = 3;
    delete json.nodes[0].label;
    expect(validate(GRAPH_JSON_SCHEMA as unknown as Record<string, unknown>, json).length).toBe(2);
    expect(wellFormed('<svg><g></svg></g>')).toBe(false);
  });

  it('should export every transition of a machine from the machine itself', () => {
    const g = machineGraph(MACHINES['vfio-group'], TABLES['vfio-group']);
    expect(g.edges).toContainEqual({ from: 'attached', to: 'in-use', label: 'DEVICE_OPEN' });
    expect(g.edges.some((e) => e.refused)).toBe(false);
  });
});

export { graphs };
