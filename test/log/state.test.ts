/**
 * Observing state from a log: a line's `expectState` (locked_vm, pin counts, table entries,
 * zPCI state and error events) and `vkm replay --state-at LINE`, the whole state with every
 * IOMMU table decoded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';
import { compareState, tableEntry } from '../../src/log/state-expect.js';
import { allJsonSchemas } from '../../src/export/json-schemas.js';
import { schemaId } from '../../src/events/json-schema.js';
import { HVA, map, setupWorld, ok } from '../support/fixture.js';
import { SETUP_LINES } from '../support/log-setup.js';

const EXAMPLES = join(import.meta.dirname, '../../examples');

async function vkm(files: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), readFile: (p) => files[p] ?? readFileSync(p, 'utf8'), writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const SETUP = SETUP_LINES;
const MAP = '{"type":"vmm.vfio.dma.map","container":"c0","iova":"0x2000","vaddr":"0x10000","size":"0x2000"';

describe('expectState', () => {
  it('should hold what the state is, and name the first difference as a mismatch', async () => {
    const good = `${MAP},"expectState":{"lockedVm":{"q":2},"entry":{"c0":{"0x2000":"0x101","0x3000":"0x102","0x4000":null}},"pins":{"0x101":1,"0x102":1,"0x103":0}}}`;
    expect((await vkm({ 'a.jsonl': [...SETUP, good].join('\n') }, 'replay', 'a.jsonl', '--quiet')).code).toBe(0);
    for (const [state, why] of [
      ['{"lockedVm":{"q":3}}', "expected q's locked_vm 3 pages, got 2"],
      ['{"pins":{"0x101":2}}', 'expected frame 0x101 pinned 2 times, got 1'],
      ['{"entry":{"c0":{"0x4000":"0x3"}}}', "expected c0's table at 0x4000 to hold frame 0x3, got no entry"],
      ['{"entry":{"c0":{"0x2000":null}}}', "expected c0's table at 0x2000 to hold no entry, got frame 0x101"],
      ['{"zpci":{"d0":{"state":"enabled"}}}', 'expected zPCI function d0, but it is not plugged'],
    ]) {
      const r = await vkm({ 'b.jsonl': [...SETUP, `${MAP},"expectState":${state}}`].join('\n') }, 'replay', 'b.jsonl', '--quiet');
      expect(r.code, state).toBe(1);
      expect(r.out).toContain(`MISMATCH: ${why}`);
    }
  });

  it('should refuse a malformed expectation as an input error naming the field', async () => {
    for (const [state, field] of [
      ['{"locked":{}}', 'expectState.locked'],
      ['{"pins":{"0x1":-1}}', 'expectState.pins.0x1'],
      ['{"entry":{"c0":{"12":"0x1"}}}', 'expectState.entry.c0.12'],
      ['{"zpci":{"d0":{"errors":[{"pec":"0x2"}]}}}', 'expectState.zpci.d0.errors[0].addr'],
      ['[1]', 'expectState'],
    ]) {
      const r = await vkm({ 'c.jsonl': [...SETUP, `${MAP},"expectState":${state}}`].join('\n') }, 'replay', 'c.jsonl');
      expect(r.code, state).toBe(2);
      expect(r.err).toContain(`c.jsonl:${SETUP.length + 1}: field "${field}"`);
    }
  });

  it('should always agree with the tables: an expectation built from any mapping holds, and one frame off is caught', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 }), (iovaPages) => {
      const w = setupWorld();
      iovaPages.forEach((p, i) => ok(w, map(p, 1, i)));
      const entries = new Map(iovaPages.map((p) => [BigInt(p) << 12n, tableEntry(w, 'c0', BigInt(p) << 12n)!]));
      expect(compareState(w, { entry: { c0: entries }, lockedVm: { qemu: iovaPages.length } })).toBeUndefined();
      const [first] = iovaPages;
      const off = new Map(entries).set(BigInt(first) << 12n, entries.get(BigInt(first) << 12n)! + 1);
      expect(compareState(w, { entry: { c0: off } })).toMatch(/^expected c0's table at 0x[0-9a-f]+ to hold frame/);
      expect(HVA).toBeGreaterThan(0n);
    }), { numRuns: 40 });
  });

  it('should check the s390 error events QEMU queues, in the bundled kvm-shadow walkthrough', () => {
    const file = 's390-kvm-shadow-walkthrough.jsonl';
    const r = readLog(readFileSync(join(EXAMPLES, file), 'utf8'), file);
    if (!r.ok) throw r.error;
    const withState = r.entries.filter((x) => x.expectState?.zpci);
    expect(withState.length).toBe(1);
    expect(replay(r.entries).mismatches).toBe(0);
    // a different PEC is a mismatch.
    const wrong = r.entries.map((x) => (x.expectState?.zpci ? { ...x, expectState: { zpci: { zpci0: { errors: [{ pec: 3, addr: 0x2_0000_0000n }] } } } } : x));
    expect(replay(wrong).steps.find((s) => s.mismatch)?.mismatch).toBe("expected zPCI function zpci0's error events pec 0x3 at 0x200000000, got pec 0x2 at 0x200000000");
  });
});

describe('vkm replay --state-at', () => {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  for (const s of allJsonSchemas()) ajv.addSchema(s);
  const valid = ajv.getSchema(schemaId('vkm-state/1'))!;

  it('should print the state after the line, every table decoded, as a vkm-state/1 document', async () => {
    const r = await vkm({ 'a.jsonl': [...SETUP, `${MAP}}`, '{"type":"vmm.vfio.dma.unmap","container":"c0","iova":"0x2000","size":"0x2000"}'].join('\n') }, 'replay', 'a.jsonl', '--state-at', String(SETUP.length + 1));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(valid(s), JSON.stringify(valid.errors)).toBe(true);
    expect([s.line, s.after]).toEqual([SETUP.length + 1, 'vmm.vfio.dma.map']);
    expect(s.domains[0].entries).toEqual([{ iova: '0x2000', frame: '0x101', perm: 'rw' }, { iova: '0x3000', frame: '0x102', perm: 'rw' }]);
    expect(s.pins).toEqual({ '0x101': 1, '0x102': 1 });
    expect(s.processes[0].lockedVm).toBe(2);
  });

  it('should decode KVM\'s TCE tables and the sPAPR hardware windows too', async () => {
    const r = await vkm({}, 'replay', join(EXAMPLES, 'spapr-liobn-to-container.jsonl'), '--state-at', '21');
    const s = JSON.parse(r.out);
    expect(valid(s)).toBe(true);
    expect(s.tceTables[0].entries).toEqual([{ ioba: '0x5000', tce: '0x3003' }]);
    expect(s.containers[0].spapr.entries).toEqual([expect.objectContaining({ ioba: '0x5000', perm: 'rw' })]);
  });

  it('should go past a violation to reach the line, and refuse a line outside the log', async () => {
    const file = join(EXAMPLES, 'violations/spapr-liobn-to-group-late-group.jsonl');
    const text = readFileSync(file, 'utf8').replace(/,"expectViolation":"[a-z-]+"/g, '');
    const r = await vkm({ 'v.jsonl': text }, 'replay', 'v.jsonl', '--state-at', '31');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(valid(s)).toBe(true);
    expect(s.groups.find((g: { id: string }) => g.id === 'gB').cachedTces).toBe(1);
    expect(s.pins['0x100']).toBeUndefined();
    for (const bad of ['0', '32', 'x', '1.5']) {
      const e = await vkm({ 'v.jsonl': text }, 'replay', 'v.jsonl', '--state-at', bad);
      expect(e.code, bad).toBe(2);
      expect(e.err).toContain('--state-at must be a line of v.jsonl (1 to 31)');
    }
  });
});
