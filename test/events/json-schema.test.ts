/**
 * The log's JSON Schema agrees with the parser: every line the model writes and every bundled log
 * validates with a standard validator (ajv, draft 2020-12), and lines the parser refuses for their
 * shape are refused by the schema too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { logLineSchema } from '../../src/events/json-schema.js';
import { parseEventObject } from '../../src/events/parse.js';
import { eventToLine } from '../../src/events/serialize.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { anyEvent } from '../support/arbitraries.js';

const validate = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true }).compile(logLineSchema());
const ok = (line: string) => validate(JSON.parse(line)) === true;

function logs(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? logs(p) : f.endsWith('.jsonl') ? [p] : [];
  });
}

describe('the log JSON Schema', () => {
  it('should accept every line of every bundled log', () => {
    const files = logs(join(import.meta.dirname, '../../examples'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        expect(ok(line), `${file}:${i + 1} ${JSON.stringify(validate.errors)}`).toBe(true);
      });
    }
  });

  it('should accept every line of a written counterexample, its trailer included, and refuse a bad trailer', async () => {
    const { runCheck, counterexampleLines } = await import('../../src/check/run.js');
    await import('../../faults/index.js');
    const r = runCheck({ scenario: 'type1-unmap', params: {}, variant: 'type1-unpin-before-unmap' });
    const lines = counterexampleLines(r.result.violations[0].trace);
    for (const line of lines) expect(ok(line), line.slice(0, 80)).toBe(true);
    expect(ok('{"end":{"lines":-1,"chain":"00"}}')).toBe(false);
    expect(ok('{"end":{"lines":3,"chain":"' + '0'.repeat(64) + '"},"type":"host.boot"}')).toBe(false);
  });

  it('should accept every line the model writes, for any event', () => {
    fc.assert(fc.property(anyEvent, (e) => ok(eventToLine(e))), { numRuns: 500 });
  });

  it('should refuse what the parser refuses for its shape', () => {
    const good = { type: 'vmm.vfio.dma.map', container: 'c0', vaddr: '0x7f0000000000', iova: '0x0', size: '0x1000' };
    const bad: Record<string, unknown>[] = [
      { ...good, frobnicate: 1 },
      { ...good, size: 4096 },
      { ...good, size: '0x10000000000000000' },
      { ...good, container: '0bad id' },
      { type: 'vmm.vfio.dma.map', vaddr: '0x0', iova: '0x0', size: '0x1000' },
      { type: 'host.boot', arch: 'mips' },
      { type: 'no.such.event' },
      { ...good, expect: { code: 'OK', extra: 1 } },
      { ...good, chain: 'abc' },
      { type: 'host.boot', arch: 'x86', design: 'reference', variant: 'reference' },
      { type: 'vmm.vfio.dma.unmap', container: 'c0', iova: '0x0', size: '0x1000', step: { at: 0, point: 'p', actor: { type: 'vmm.mmap', mm: 'q', hva: '0x0', size: '0x1000' } } },
      { type: 'vmm.vfio.dma.unmap', container: 'c0', iova: '0x0', size: '0x1000', step: { at: 0, point: 'p', actor: { type: 'device.dma.read', device: 'd', iova: '0x0', len: 1, step: { at: 0, point: 'p' } } } },
    ];
    expect(ok(JSON.stringify(good))).toBe(true);
    expect(parseEventObject(good).ok).toBe(true);
    for (const b of bad) {
      const line = JSON.stringify(b);
      expect(parseEventObject(b).ok, line).toBe(false);
      expect(ok(line), line).toBe(false);
    }
  });

  it('should be what vkm events --schema prints', async () => {
    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: () => {}, readFile: () => '', writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
    expect(await main(['events', '--schema'], io)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual(logLineSchema());
  });
});
