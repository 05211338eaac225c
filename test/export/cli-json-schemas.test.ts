/**
 * Every `--json` output names its schema and validates against it (ajv, draft 2020-12, strict):
 * replay over every bundled log, variants (a loaded module's rows included), paths of every
 * machine, events, graph JSON. Each command that offers --json offers --schema, and `vkm schemas`
 * holds them all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { MACHINES } from '../../machines/index.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { COMMANDS } from '../../src/cli/options.js';
import { allJsonSchemas, JSON_SCHEMAS_OF } from '../../src/export/json-schemas.js';
import { schemaId } from '../../src/events/json-schema.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
for (const s of allJsonSchemas()) ajv.addSchema(s);
const validator = (name: string) => ajv.getSchema(schemaId(name))!;

async function vkm(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: () => {}, readFile: (p) => readFileSync(p, 'utf8'), writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
  const code = await main(argv, io);
  return { code, out };
}

/** Validates an object against the schema it names (`schema`, or `format` for a graph). */
function valid(obj: Record<string, unknown>): string | true {
  const name = String(obj.schema ?? obj.format);
  const v = validator(name);
  if (!v) return `no schema named ${name}`;
  return v(obj) ? true : `${name}: ${JSON.stringify(v.errors).slice(0, 400)}`;
}

function logs(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? logs(p) : p.endsWith('.jsonl') ? [p] : [];
  });
}

describe('vkm replay --json', () => {
  it('should validate every step and summary of every bundled log, with and without --stats', async () => {
    const files = logs(EXAMPLES);
    expect(files.length).toBeGreaterThanOrEqual(20);
    const seen = new Set<string>();
    for (const file of files) {
      for (const extra of [[], ['--stats']]) {
        const { out } = await vkm('replay', file, '--json', ...extra);
        const objs = out.map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(objs.at(-1)!.schema, file).toBe('vkm-replay-summary/1');
        for (const o of objs) {
          expect(valid(o), `${file}: ${JSON.stringify(o).slice(0, 120)}`).toBe(true);
          for (const k of ['value', 'data', 'mismatch', 'violations', 'stats']) if (k in o) seen.add(k);
          if (o.violated) seen.add('violated');
        }
      }
    }
    // the bundled logs reach every optional field, so each part of the schema is exercised.
    expect([...seen].sort()).toEqual(['data', 'stats', 'value', 'violations'].concat(seen.has('mismatch') ? ['mismatch'] : []).sort());
  });

  it('should validate an unexpected violation and a missed expectation, stopped and with --keep-going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-schema-'));
    const text = readFileSync(join(EXAMPLES, 'violations/spapr-liobn-to-group-late-group.jsonl'), 'utf8');
    writeFileSync(join(dir, 'plain.jsonl'), text.replace(/,"expectViolation":"[a-z-]+"/g, ''));
    writeFileSync(join(dir, 'wrong.jsonl'), text.replace('"expectViolation":"container-coherence"', '"expectViolation":"isolation"'));
    for (const argv of [['plain.jsonl'], ['plain.jsonl', '--keep-going'], ['wrong.jsonl', '--stats']]) {
      const objs = (await vkm('replay', join(dir, argv[0]), '--json', ...argv.slice(1))).out.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const o of objs) expect(valid(o), JSON.stringify(o).slice(0, 160)).toBe(true);
      expect(objs.at(-1)!.violated, argv.join(' ')).not.toBeNull();
      if (argv[0] === 'wrong.jsonl') expect(objs.some((o) => typeof o.mismatch === 'string')).toBe(true);
    }
  });

  it('should refuse a step with an unknown code and a summary without its digest', async () => {
    const { out } = await vkm('replay', join(EXAMPLES, 'type1-dma-walkthrough.jsonl'), '--json');
    const [step, summary] = [JSON.parse(out[0]), JSON.parse(out.at(-1)!)];
    expect(valid(step)).toBe(true);
    expect(valid({ ...step, code: 'EWHATEVER' })).not.toBe(true);
    expect(valid({ ...step, line: 0 })).not.toBe(true);
    const { digest: _, ...noDigest } = summary;
    expect(valid(noDigest)).not.toBe(true);
    expect(valid({ ...summary, stats: { events: 1 } })).not.toBe(true);
  });
});

describe('the listings', () => {
  it('should validate vkm variants --json, a loaded module\'s rows included', () => {
    // through the built binary: the module imports the package, whose registry is the binary's.
    const r = spawnSync('node', [join(import.meta.dirname, '../../bin/vkm.js'), 'variants', '--load', join(EXAMPLES, 'my-design.mjs'), '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(valid(doc)).toBe(true);
    expect(doc.variants.some((r: { module: string | null }) => r.module !== null)).toBe(true);
    expect(valid({ ...doc, variants: [{ ...doc.variants[0], kind: 'mutant' }] })).not.toBe(true);
  });

  it.each(Object.keys(MACHINES))('should validate vkm paths --json for %s, with and without --variant', async (machine) => {
    for (const extra of [[], ['--variant', 'kvm-domain-lent-flag']]) {
      const doc = JSON.parse((await vkm('paths', '--machine', machine, '--json', ...extra)).out.join('\n'));
      expect(valid(doc)).toBe(true);
      expect(doc.machine).toBe(machine);
      expect(doc.paths.length).toBeGreaterThan(0);
    }
  });

  it('should validate vkm events --json and refuse a listing missing an event type', async () => {
    const doc = JSON.parse((await vkm('events', '--json')).out.join('\n'));
    expect(valid(doc)).toBe(true);
    const { ['vmm.vfio.dma.map']: _, ...fewer } = doc.events;
    expect(valid({ ...doc, events: fewer })).not.toBe(true);
  });

  it('should validate graph JSON: every machine at once, and a reachable graph', async () => {
    const all = JSON.parse((await vkm('graph', '--machine', 'all', '--format', 'json')).out.join('\n')) as Record<string, unknown>[];
    expect(all.length).toBe(Object.keys(MACHINES).length);
    for (const g of all) expect(valid(g)).toBe(true);
    const reach = JSON.parse((await vkm('graph', '--scenario', 'type1-unmap', '--reachable', '--project', 'vfio-group', '--format', 'json')).out.join('\n'));
    expect(valid(reach)).toBe(true);
  });
});

describe('--schema and vkm schemas', () => {
  it('should give every command that has --json a --schema that prints its schemas', async () => {
    const withJson = COMMANDS.filter((c) => c.options.some((o) => o.name === 'json'));
    expect(withJson.map((c) => c.name).sort()).toEqual(['check', 'events', 'mutants', 'paths', 'replay', 'variants']);
    for (const c of [...withJson, COMMANDS.find((x) => x.name === 'graph')!]) {
      expect(c.options.some((o) => o.name === 'schema'), c.name).toBe(true);
      const { code, out } = await vkm(c.name, '--schema');
      expect(code, c.name).toBe(0);
      const printed = JSON.parse(out.join('\n'));
      for (const s of Array.isArray(printed) ? printed : [printed]) expect(ajv.getSchema(s.$id), `${c.name}: ${s.$id}`).toBeDefined();
    }
  });

  it('should print every schema once with vkm schemas, each compiling strictly on its own', async () => {
    const printed = JSON.parse((await vkm('schemas')).out.join('\n')) as { $id: string }[];
    expect(printed).toEqual(allJsonSchemas());
    expect(new Set(printed.map((s) => s.$id)).size).toBe(printed.length);
    for (const list of Object.values(JSON_SCHEMAS_OF)) for (const s of list()) expect(printed.map((p) => p.$id)).toContain(s.$id);
  });
});
