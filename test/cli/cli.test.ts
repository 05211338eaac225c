import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SETUP_LINES } from '../support/log-setup.js';
import { parseArgs } from '../../src/cli/parse-args.js';
import type { Io } from '../../src/cli/io.js';

function fakeIo(files: Record<string, string>): Io & { stdout: string[]; stderr: string[]; written: Record<string, string> } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const written: Record<string, string> = {};
  return {
    stdout,
    stderr,
    written,
    writeFile: (p, t) => void (written[p] = t),
    now: () => 0,
    memoryMiB: () => 0,
    interrupted: () => false,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`unexpected read ${p}`);
      return files[p];
    },
  };
}

const SETUP = SETUP_LINES;

describe('parseArgs', () => {
  it('should parse a command, its positional and flags', () => {
    const a = parseArgs(['replay', 'x.jsonl', '--json']);
    expect([a.command.name, a.positionals, a.options]).toEqual(['replay', ['x.jsonl'], { json: true }]);
  });

  it('should refuse unknown commands, unknown options and missing positionals', () => {
    expect(() => parseArgs(['frob'])).toThrow(/unknown command "frob"/);
    expect(() => parseArgs(['replay', 'x', '--nope'])).toThrow(/unknown option --nope/);
    expect(() => parseArgs(['replay'])).toThrow(/usage: vkm replay \[--load FILE\]\.\.\. FILE\.\.\./);
    expect(() => parseArgs(['replay', 'x', '--json=1'])).toThrow(/takes no value/);
  });
});

describe('vkm replay', () => {
  it('should exit 0 and print each outcome and the digest for a clean log', async () => {
    const io = fakeIo({ 'a.jsonl': [...SETUP, '{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x10000","iova":"0x0","size":"0x1000","expect":"OK"}'].join('\n') });
    expect(await main(['replay', 'a.jsonl'], io)).toBe(0);
    expect(io.stdout.at(-1)).toMatch(/^digest sha256:[0-9a-f]{64}$/);
    expect(io.stdout.some((l) => /vmm\.vfio\.dma\.map\s+OK/.test(l))).toBe(true);
  });

  it('should exit 1 and name line and expectation when an outcome differs', async () => {
    const io = fakeIo({ 'a.jsonl': [...SETUP, '{"type":"vmm.vfio.set_iommu","container":"c0","iommu":3,"expect":"OK"}'].join('\n') });
    expect(await main(['replay', 'a.jsonl', '--quiet'], io)).toBe(1);
    expect(io.stdout[0]).toMatch(/^\s+8\s+vmm\.vfio\.set_iommu\s+EINVAL\s+MISMATCH: expected OK, got EINVAL$/);
  });

  it('should exit 2 with file, line and field for bad input, and print no stack trace', async () => {
    const io = fakeIo({ 'a.jsonl': [...SETUP, '{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x10000","iova":"0x1","size":"zz"}'].join('\n') });
    expect(await main(['replay', 'a.jsonl'], io)).toBe(2);
    expect(io.stderr).toEqual(['vkm: a.jsonl:8: field "size": "zz" is not a 0x-prefixed hex number']);
    expect(io.stdout).toEqual([]);
  });

  it('should print JSON lines with --json, ending in a summary', async () => {
    const io = fakeIo({ 'a.jsonl': SETUP.join('\n') });
    expect(await main(['replay', 'a.jsonl', '--json', '--stats'], io)).toBe(0);
    const objs = io.stdout.map((l) => JSON.parse(l));
    expect(objs.length).toBe(SETUP.length + 1);
    expect(objs[0]).toEqual({ schema: 'vkm-replay-step/1', line: 1, type: 'host.process.spawn', code: 'OK' });
    expect(objs.at(-1)).toMatchObject({ schema: 'vkm-replay-summary/1', events: 7, mismatches: 0, violated: null });
    expect(objs.at(-1).stats.ioctls).toBeGreaterThan(0);
  });

  it('should run through the real binary against a file on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkm-'));
    writeFileSync(join(dir, 'l.jsonl'), SETUP.join('\n'));
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('node', [join(import.meta.dirname, '../../bin/vkm.js'), 'replay', join(dir, 'l.jsonl'), '--quiet'], { encoding: 'utf8' });
    expect(out).toMatch(/7 events, 0 refused, 0 expectation mismatches, 0 violations\ndigest sha256:/);
  });
});

describe('vkm events', () => {
  it('should list every event type of the schema with its fields', async () => {
    const { EVENT_TYPES } = await import('../../src/events/types.js');
    const io = fakeIo({});
    expect(await main(['events', '--json'], io)).toBe(0);
    const listed = JSON.parse(io.stdout.join('\n')).events;
    expect(Object.keys(listed)).toEqual(EVENT_TYPES);
    expect(listed['vmm.vfio.dma.map'].fields).toMatchObject({ container: { kind: 'container id' }, iova: { kind: 'u64 hex' }, argsz: { kind: 'u32 = 32' } });
    // units and flag bits where the kind does not say them; the codes each event answers, success first.
    expect(listed['vmm.vfio.dma.map'].fields.flags.doc).toBe('VFIO_DMA_MAP_FLAG_READ 1, WRITE 2, VADDR 4');
    expect(listed['vmm.vfio.dma.unmap'].fields.flags.doc).toBe('VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP 1, ALL 2, VADDR 4');
    expect(listed['vmm.kvm.create_spapr_tce_64'].fields.size.doc).toMatch(/IOMMU pages/);
    expect(listed['vmm.vfio.spapr.tce_create'].fields.windowSize.doc).toMatch(/^bytes/);
    expect(listed['guest.s390.rpcit'].codes).toEqual(['CC0', 'EBADF', 'CC1', 'CC3', 'X86_UD', 'PPC_ILLEGAL']);
    expect(listed['guest.spapr.h_put_tce'].codes[0]).toBe('H_SUCCESS');
    expect(JSON.parse(io.stdout.join('\n')).codes.CC1).toMatch(/status .* hex/);
  });

  it('should print the codes of each event and the meaning of every code', async () => {
    const { OUTCOME_CODES } = await import('../../src/model/codes.js');
    const io = fakeIo({});
    expect(await main(['events'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('    codes       OK | EBADF, EINVAL, EPERM, ENXIO, EEXIST, ENOSPC, EFAULT, ENOMEM, ENOENT, EOVERFLOW');
    expect(text).toContain('    flags       u32 = 3; VFIO_DMA_MAP_FLAG_READ 1, WRITE 2, VADDR 4');
    for (const [code, meaning] of Object.entries(OUTCOME_CODES)) expect(text).toContain(`    ${code.padEnd(24)} ${meaning}`);
  });
});

describe('an id still in use', () => {
  it('should make a second create with the id of a live object an input error, and allow the id once the object is gone', async () => {
    const again = [...SETUP, '{"type":"vmm.vfio.container.open","container":"c0","mm":"q","expect":"EEXIST"}'];
    const io = fakeIo({ 'a.jsonl': again.join('\n') });
    expect(await main(['replay', 'a.jsonl'], io)).toBe(2);
    expect(io.stderr).toEqual([`vkm: a.jsonl:${again.length}: field "container": id "c0" names a container that still exists (an earlier line created it and it is not gone): a new container needs a new id`]);
    expect(io.stdout).toEqual([]);
    for (const [line, field] of [['{"type":"host.process.spawn","mm":"q"}', 'mm'], ['{"type":"host.pci.device.add","device":"d0","group":"g1"}', 'device'], ['{"type":"vmm.vfio.group.get_device_fd","group":"g1","device":"d0","fd":"f1"}', 'fd']] as const) {
      const lines = [...SETUP, '{"type":"vmm.vfio.group.get_device_fd","group":"g1","device":"d0","fd":"f1"}', line];
      const x = fakeIo({ 'b.jsonl': lines.join('\n') });
      expect(await main(['replay', 'b.jsonl'], x), line).toBe(2);
      expect(x.stderr[0]).toContain(`:${lines.length}: field "${field}": id `);
    }
    // a device fd closed frees its id: the same name opens a new fd.
    const reopen = [...SETUP, '{"type":"vmm.vfio.group.get_device_fd","group":"g1","device":"d0","fd":"f1"}', '{"type":"vmm.vfio.device.close","fd":"f1"}', '{"type":"vmm.vfio.group.get_device_fd","group":"g1","device":"d0","fd":"f1"}'];
    expect(await main(['replay', 'c.jsonl'], fakeIo({ 'c.jsonl': reopen.join('\n') }))).toBe(0);
  });
});

describe('expect naming an unknown code', () => {
  it('should be an input error naming file, line and field, with the nearest code', async () => {
    for (const [code, near] of [['HPARAMETER', 'H_PARAMETER'], ['IOMMU_FAULT_PROTECTION', undefined], ['EBUSSY', 'EBUSY']] as const) {
      const line = `{"type":"guest.spapr.h_put_tce","vm":"vm0","liobn":"0x1","ioba":"0x0","tce":"0x3","expect":"${code}"}`;
      const io = fakeIo({ 'a.jsonl': [...SETUP, line].join('\n') });
      expect(await main(['replay', 'a.jsonl'], io)).toBe(2);
      expect(io.stderr[0]).toMatch(new RegExp(`^vkm: a\\.jsonl:${SETUP.length + 1}: field "expect": unknown outcome code "${code}"`));
      if (near) expect(io.stderr[0]).toContain(`did you mean "${near}"?`);
      expect(io.stderr[0]).toContain('guest.spapr.h_put_tce answers H_SUCCESS, EBADF, H_PARAMETER');
    }
    const obj = `{"type":"vmm.kvm.create_vm","vm":"vmz","mm":"qemu","expect":{"code":"OKAY"}}`;
    const io = fakeIo({ 'b.jsonl': [...SETUP, obj].join('\n') });
    expect(await main(['replay', 'b.jsonl'], io)).toBe(2);
    expect(io.stderr[0]).toContain('field "expect.code": unknown outcome code "OKAY"');
  });
});

describe('vkm check', () => {
  it('should run one scenario, print JSON with the contract fields, and exit 0 when the verdict is as expected', async () => {
    const io = fakeIo({});
    expect(await main(['check', '--scenario', 'type1-unmap', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout[0]);
    for (const k of ['scenario', 'variant', 'verdict', 'states', 'transitions', 'maxDepth', 'durationMs', 'bytesPerState', 'violations', 'covers']) expect(r).toHaveProperty(k);
    // interleavings are on by default: migrations racing each other reach frame numberings a whole-event run never does.
    expect(r).toMatchObject({ scenario: 'type1-unmap', verdict: 'pass', states: 1099, transitions: 62303 });
    const atomic = fakeIo({});
    expect(await main(['check', '--scenario', 'type1-unmap', '--json', '--preemptions', '0'], atomic)).toBe(0);
    expect(JSON.parse(atomic.stdout[0])).toMatchObject({ verdict: 'pass', states: 223, transitions: 2453 });
    expect(await main(['check', '--scenario', 'type1-unmap', '--preemptions', '2'], fakeIo({}))).toBe(2);
  });

  it('should exit 0 for a seeded fault that is found, write its counterexample, and 1 when a pass is expected but a violation found', async () => {
    const io = fakeIo({});
    expect(await main(['check', '--scenario', 'type1-unmap', '--variant', 'type1-unpin-before-unmap', '--out', 'cex', '--junit', 'j.xml'], io)).toBe(0);
    const base = 'cex/type1-unmap.type1-unpin-before-unmap.no-iova-to-unpinned-page';
    expect(Object.keys(io.written).sort()).toEqual(['cex/index.json', `${base}.jsonl`, `${base}.mmd`, `${base}.txt`, 'j.xml']);
    expect(JSON.parse(io.written['cex/index.json'])).toEqual({ schema: 'vkm-out-index/1', complete: true, files: [`${base}.jsonl`, `${base}.txt`, `${base}.mmd`].map((f) => f.slice(4)) });
    expect(io.written[`${base}.txt`]).toMatch(/VIOLATION no-iova-to-unpinned-page/);
    expect(io.written[`${base}.mmd`]).toMatch(/^sequenceDiagram/);
    expect(io.written['j.xml']).toMatch(/<testsuite name="vkm check" timestamp="[0-9T:-]+" hostname="[^"]+" tests="1" failures="0" errors="0"/);
    const { registerDesign } = await import('../../src/index.js');
    const unpinFirst = (await import('../../faults/type1-unpin-before-unmap.js')).default.design.ops.vfio_iommu_type1.unmap_unpin;
    registerDesign({ name: 'test-unexpected', description: 'same fault, not registered as a fault', ops: { vfio_iommu_type1: { unmap_unpin: () => unpinFirst } } });
    expect(await main(['check', '--scenario', 'type1-unmap', '--variant', 'test-unexpected'], fakeIo({}))).toBe(1);
  });

  it('should exit 3 when a bound stops the run, and 2 for usage errors', async () => {
    expect(await main(['check', '--scenario', 'rpcit-shadow', '--max-states', '10'], fakeIo({}))).toBe(3);
    const io = fakeIo({});
    expect(await main(['check', '--scenario', 'nope'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/unknown scenario "nope"/);
    expect(await main(['check', '--scenario', 'rpcit-shadow', '--param', 'G=99'], fakeIo({}))).toBe(2);
    expect(await main(['check', '--param', 'G=2'], fakeIo({}))).toBe(2);
  });

  it('should list variants and run every mutant', async () => {
    const io = fakeIo({});
    expect(await main(['variants', '--json'], io)).toBe(0);
    const rows = (JSON.parse(io.stdout.join('\n')) as { variants: { kind: string; name: string; expected: string }[] }).variants;
    expect(rows.filter((r) => r.kind === 'fault').length).toBeGreaterThanOrEqual(9);
    expect(rows.filter((r) => r.name.startsWith('liobn-to-')).map((r) => `${r.name}: ${r.expected}`)).toEqual(['liobn-to-container: pass', 'liobn-to-group: violation of container-coherence']);
    expect(await main(['mutants'], fakeIo({}))).toBe(0);
  });
});

describe('vkm replay --stats', () => {
  const phased = [
    ...SETUP,
    '{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x10000","iova":"0x0","size":"0x2000","phase":"workload"}',
    '{"type":"vmm.vfio.dma.unmap","container":"c0","iova":"0x0","size":"0x2000"}',
  ].join('\n');

  it('should print counters per phase and a comparison of the workload phases of several logs', async () => {
    const io = fakeIo({ 'a.jsonl': phased, 'b.jsonl': SETUP.join('\n') });
    expect(await main(['replay', '--stats', '--quiet', 'a.jsonl', 'b.jsonl'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/ {2}workload +2 +0 +2 +2 +2 +1 +0 +0/);
    expect(out).toContain('== cost per log (workload phase)');
    expect(out).toMatch(/\na +2 +0 +2 +2 +2 +1 +0 +0/);
    expect(out).toMatch(/\nb \(whole log\) +7 +0 +4 +0/);
  });

  it('should refuse a malformed phase with file, line and field, exit code 2', async () => {
    const io = fakeIo({ 'bad.jsonl': SETUP[0] + '\n{"type":"host.process.spawn","mm":"r","phase":"Work Load"}' });
    expect(await main(['replay', 'bad.jsonl'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/bad\.jsonl:2: field "phase"/);
  });
});

