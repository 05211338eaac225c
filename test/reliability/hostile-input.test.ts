/**
 * Hostile input through the CLI entry: random and mutated logs, deeply nested and oversized JSON,
 * huge numbers, unknown ids, arbitrary events of every type. Exit codes stay in 0..2 and no stack
 * trace is ever printed. The number of inputs tried is reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { eventToLine } from '../../src/events/serialize.js';
import { anyEvent } from '../support/arbitraries.js';

const PREFIX = [
  '{"type":"host.process.spawn","mm":"qemu"}',
  '{"type":"host.pci.device.add","device":"nic0","group":"g7"}',
  '{"type":"vmm.vfio.container.open","container":"c0","mm":"qemu"}',
];

async function runCli(text: string): Promise<{ code: number; err: string; out: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: () => text,
    writeFile: () => {},
    now: () => 0,
    memoryMiB: () => 0,
    interrupted: () => false,
  };
  const code = await main(['replay', 'in.jsonl'], io);
  return { code, err: err.join('\n'), out: out.join('\n') };
}

const STACK = /\n\s+at .+[:(]\d+/;

const hostileLine = fc.oneof(
  anyEvent.map((e) => eventToLine(e)),
  fc.json(),
  fc.string(),
  fc.integer({ min: 1, max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 50_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.constantFrom(
    '{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x' + 'f'.repeat(40) + '","iova":"0x0","size":"0x1000"}',
    '{"type":"vmm.vfio.dma.map","container":"zz","vaddr":"0x0","iova":"0x0","size":"0x1000"}',
    '{"type":"guest.mem.read","vm":"vm0","gpa":"0x0","len":4294967295}',
    '{"type":"host.pci.device.add","device":"__proto__","group":"constructor"}',
    '{"type":"host.process.spawn","mm":"x","__proto__":{"polluted":true}}',
    '{"type":"vmm.mmap","mm":"qemu","hva":"-0x1000","size":"0x1000"}',
    '{"type":"vmm.mmap","mm":"qemu","hva":"0x1000","size":1e300}',
    'null',
    '"just a string"',
    '{"type":"vmm.vfio.dma.map"',
  ),
  fc.integer({ min: 4_194_000, max: 4_200_000 }).map((n) => '{"type":"host.process.spawn","mm":"' + 'a'.repeat(n) + '"}'),
);

describe('hostile input through the CLI', () => {
  it('should exit 0, 1 or 2 and never print a stack trace', async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileLine, { maxLength: 6 }), fc.boolean(), async (lines, withPrefix) => {
        tried++;
        const r = await runCli([...(withPrefix ? PREFIX : []), ...lines].join('\n') + '\n');
        expect([0, 1, 2]).toContain(r.code);
        expect(r.err).not.toMatch(STACK);
        expect(r.err).not.toMatch(/internal error/);
        if (r.code === 2) expect(r.err).toMatch(/^vkm: in\.jsonl:\d+(:\d+)?:/);
      }),
      { numRuns: 250 },
    );
    console.log(`hostile input: tried ${tried} generated logs through vkm replay`);
    expect(tried).toBe(250);
  }, 120_000);

  it('should not let a log pollute object prototypes', async () => {
    await runCli('{"type":"host.pci.device.add","device":"__proto__","group":"constructor"}\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
