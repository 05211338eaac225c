/** `vkm check --json` names its schema in every object and validates against it (ajv, draft 2020-12). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { CHECK_COVERAGE_SCHEMA, CHECK_RUN_SCHEMA, checkJsonSchemas } from '../../src/export/check-json-schema.js';
import { FAULTS } from '../../faults/index.js';

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
for (const s of checkJsonSchemas()) ajv.addSchema(s);
const runOk = ajv.getSchema(`https://vfio-kvm-model.invalid/schema/${CHECK_RUN_SCHEMA}`)!;
const coverageOk = ajv.getSchema(`https://vfio-kvm-model.invalid/schema/${CHECK_COVERAGE_SCHEMA}`)!;

async function json(...argv: string[]): Promise<Record<string, unknown>[]> {
  const out: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: () => {}, readFile: () => '', writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
  await main([...argv, '--json'], io);
  return out.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('vkm check --json schemas', () => {
  it('should validate a violation with its trace, coverage, deadlocks and the family coverage line', async () => {
    const objs = await json('check', '--scenario', 'liobn-binding', '--variant', 'liobn-to-group', '--coverage', '--deadlock', '--preemptions', '0');
    const [run, cov] = objs;
    expect(run.schema).toBe(CHECK_RUN_SCHEMA);
    expect(runOk(run), JSON.stringify(runOk.errors)).toBe(true);
    expect((run.violations as unknown[]).length).toBeGreaterThan(0);
    expect(cov.schema).toBe(CHECK_COVERAGE_SCHEMA);
    expect(coverageOk(cov), JSON.stringify(coverageOk.errors)).toBe(true);
  });

  it('should validate an incomplete run and every seeded fault (vkm mutants --json)', async () => {
    const [stopped] = await json('check', '--scenario', 'rpcit-shadow', '--max-states', '10', '--preemptions', '0');
    expect(stopped.incompleteReason).toBe('max-states');
    expect(runOk(stopped), JSON.stringify(runOk.errors)).toBe(true);
    const mutants = await json('mutants', '--preemptions', '0');
    expect(mutants.filter((m) => m.schema === CHECK_RUN_SCHEMA).length).toBe(FAULTS.length);
    for (const m of mutants) expect(m.schema === CHECK_COVERAGE_SCHEMA ? coverageOk(m) : runOk(m), JSON.stringify(m).slice(0, 100)).toBe(true);
  });

  it('should print the schemas it validates against with vkm check --schema', async () => {
    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: () => {}, readFile: () => '', writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
    expect(await main(['check', '--schema'], io)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual(checkJsonSchemas());
  });

  it('should refuse an object that breaks it (the validator is live)', async () => {
    const [run] = await json('check', '--scenario', 'kvm-domain-lent', '--preemptions', '0');
    expect(runOk(run)).toBe(true);
    expect(runOk({ ...run, verdict: 'maybe' })).toBe(false);
    expect(runOk({ ...run, schema: 'vkm-check-run/0' })).toBe(false);
    const { states: _, ...noStates } = run;
    expect(runOk(noStates)).toBe(false);
  });
});
