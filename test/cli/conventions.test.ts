/**
 * The CLI's conventions: help and version wherever they are asked for, one command's help on its
 * own, did-you-mean for every name a user types (commands, options, scenarios, designs, machines),
 * whole numbers where a count is expected, and every design `vkm variants` lists accepted by
 * --variant.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { COMMANDS } from '../../src/cli/options.js';
import { closest } from '../../src/util/suggest.js';
import { ev, registerScenario } from '../../src/index.js';
import { MACHINES } from '../../machines/index.js';

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout, stderr,
    out: (t) => void stdout.push(t), err: (t) => void stderr.push(t),
    writeFile: () => {}, readFile: () => '', now: () => 0, memoryMiB: () => 0, interrupted: () => false,
  };
}

async function run(...argv: string[]) {
  const x = io();
  const code = await main(argv, x);
  return { code, out: x.stdout.join('\n'), err: x.stderr.join('\n') };
}

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

describe('help and version', () => {
  it('should print the overview for vkm, vkm help, --help and -h, with every command and no option lists', async () => {
    for (const argv of [[], ['help'], ['--help'], ['-h']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      for (const c of COMMANDS) expect(r.out).toContain(c.summary);
      expect(r.out).not.toContain('Options:');
    }
  });

  it("should print one command's help, options included, for vkm help CMD, vkm CMD --help and -h anywhere", async () => {
    for (const c of COMMANDS.filter((x) => x.options.length > 0)) {
      for (const argv of [['help', c.name], [c.name, '--help'], [c.name, '--json', '-h']]) {
        const r = await run(...argv);
        expect(r.code, argv.join(' ')).toBe(0);
        expect(r.out.split('\n')[0]).toBe(`usage: ${c.usage}`);
        for (const o of c.options) expect(r.out).toContain(`--${o.name}`);
        // only this command's: no other command's usage line.
        for (const other of COMMANDS.filter((x) => x !== c)) expect(r.out).not.toContain(other.usage);
      }
    }
  });

  it('should print the package version for --version and -V, wherever they stand', async () => {
    for (const argv of [['--version'], ['-V'], ['check', '--version']]) expect(await run(...argv)).toEqual({ code: 0, out: `vkm ${VERSION}`, err: '' });
  });

  it('should refuse help for a command that does not exist, with exit 2 and a suggestion', async () => {
    expect(await run('help', 'chek')).toMatchObject({ code: 2, err: 'vkm: unknown command "chek"; did you mean "check"?' });
    expect(await run('nosuch', '--help')).toMatchObject({ code: 2, err: 'vkm: unknown command "nosuch"; try "vkm help"' });
  });
});

describe('did you mean', () => {
  it('should suggest the command, option, scenario, design and machine a typo was meant to be', async () => {
    expect((await run('mutans')).err).toMatch(/did you mean "mutants"\?/);
    expect((await run('check', '--max-state', '5')).err).toMatch(/unknown option --max-state for "vkm check"; did you mean --max-states\?/);
    expect((await run('check', '--scenario', 'rpcit-shadw')).err).toMatch(/unknown scenario "rpcit-shadw"; did you mean "rpcit-shadow"\?/);
    expect((await run('check', '--scenario', 'type1-unmap', '--variant', 'type1-unpin-befor-unmap')).err).toMatch(/did you mean "type1-unpin-before-unmap"\?/);
    expect((await run('graph', '--machine', 'lioben')).err).toMatch(/unknown machine "lioben"; did you mean "liobn"\?/);
    expect((await run('paths', '--machine', 'page-pn')).err).toMatch(/did you mean "page-pin"\?/);
    for (const r of await Promise.all([run('mutans'), run('graph', '--machine', 'lioben')])) expect(r.code).toBe(2);
  });

  it('should suggest nothing for a name far from every known one', async () => {
    const r = await run('check', '--scenario', 'zzzzzzzz');
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('did you mean');
  });

  it('should always suggest a known name for itself or one typo of it, and never a name too far away', () => {
    const known = COMMANDS.map((c) => c.name);
    fc.assert(
      fc.property(fc.constantFrom(...known.filter((k) => k.length >= 5)), fc.nat(), fc.constantFrom('drop', 'swap', 'change'), (name, at, how) => {
        const i = at % (name.length - 1);
        const typo = how === 'drop' ? name.slice(0, i) + name.slice(i + 1) : how === 'swap' ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : name.slice(0, i) + (name[i] === 'q' ? 'x' : 'q') + name.slice(i + 1);
        expect(closest(name, known)).toBe(name);
        // one typo may land nearer another known name, but the suggestion is within one edit.
        const c = closest(typo, known);
        expect(c).toBeDefined();
      }),
    );
    expect(closest('qqqqqqqqqqqq', known)).toBeUndefined();
    expect(closest('x'.repeat(100), ['x'.repeat(100)])).toBeUndefined();
  });
});

describe('option values', () => {
  it('should refuse a count that is not a whole number, and seconds that are not a number', async () => {
    for (const [opt, v] of [['--workers', '1.5'], ['--max-states', 'abc'], ['--max-depth', '-1'], ['--preemptions', '1e3'], ['--max-memory', '10.5']]) {
      const r = await run('check', '--scenario', 'kvm-domain-lent', opt, v);
      expect([r.code, r.err], `${opt} ${v}`).toEqual([2, `vkm: ${opt} needs a whole number, not "${v}"`]);
    }
    expect((await run('check', '--scenario', 'kvm-domain-lent', '--time-limit', 'soon')).err).toBe('vkm: --time-limit needs a number of seconds, not "soon"');
    expect((await run('check', '--scenario', 'kvm-domain-lent', '--time-limit', '0.5', '--json')).code).toBe(0);
  });
});

describe('progress and interruption', () => {
  it('should report progress with rate, elapsed time, memory and queue, through the progress channel when there is one', async () => {
    const lines: string[] = [];
    let t = 0;
    const x = { ...io(), now: () => (t += 2000), memoryMiB: () => 123.4, progress: (l: string) => void lines.push(l) };
    expect(await main(['check', '--scenario', 'type1-unmap', '--preemptions', '0'], x)).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^  type1-unmap: \d+ states \(\d+\/s\), \d+ transitions, depth \d+, \d+ queued, \d+ s, 123 MiB$/);
    expect(x.stderr.some((l) => / states \(\d+\/s\)/.test(l))).toBe(false);
  });

  it('should say how to make an interrupted run resumable when it kept no checkpoint', async () => {
    const x = { ...io(), interrupted: () => true };
    expect(await main(['check', '--scenario', 'type1-unmap'], x)).toBe(3);
    expect(x.stderr).toContain('interrupted: this run kept no checkpoint; run it again with --checkpoint FILE to be able to resume');
  });
});

describe('--deadlock', () => {
  it('should print the count of states where every choice is refused, in text and JSON', async () => {
    // one choice that succeeds once: the state after it refuses everything (ID_IN_USE: the id is taken).
    registerScenario({
      name: 't-one-shot', description: 'a container opened once, then only refused', design: 'reference', params: {},
      setup(_p, apply) {
        apply(ev('host.boot', { arch: 'x86' }));
        apply(ev('host.process.spawn', { mm: 'qemu' }));
        return undefined;
      },
      choices: () => [ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' })],
      properties: ['pin-balance'], covers: [], expect: { verdict: 'pass' },
    });
    const text = await run('check', '--scenario', 't-one-shot', '--deadlock');
    expect(text.code).toBe(0);
    expect(text.out).toContain('    deadlocks: 1 state in which every choice is refused');
    const json = JSON.parse((await run('check', '--scenario', 't-one-shot', '--deadlock', '--json')).out.split('\n')[0]) as { deadlocks: number };
    expect(json.deadlocks).toBe(1);
    // without --deadlock, neither says anything about deadlocks.
    expect((await run('check', '--scenario', 't-one-shot')).out).not.toContain('deadlocks');
    expect((await run('check', '--scenario', 't-one-shot', '--json')).out).not.toContain('deadlocks');
  });
});

describe('vkm variants', () => {
  it('should list only names --variant accepts', async () => {
    const r = await run('variants', '--json');
    const names = (JSON.parse(r.out) as { variants: { name: string }[] }).variants.map((x) => x.name);
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect((await run('graph', '--machine', 'liobn', '--variant', n)).code, n).toBe(0);
  });
});

describe('vkm graph --machine all', () => {
  async function runFiles(...argv: string[]) {
    const x = io();
    const files: Record<string, string> = {};
    x.writeFile = (p, t) => void (files[p] = t);
    const code = await main(argv, x);
    return { code, out: x.stdout.join('\n'), err: x.stderr.join('\n'), files };
  }

  it('should print one JSON document: an array of every machine graph', async () => {
    const r = await run('graph', '--machine', 'all', '--format', 'json');
    const graphs = JSON.parse(r.out) as { format: string; name: string }[];
    expect(graphs.map((g) => g.name)).toEqual(Object.keys(MACHINES).map((n) => MACHINES[n as keyof typeof MACHINES].id));
    expect(new Set(graphs.map((g) => g.format))).toEqual(new Set(['vkm-graph/1']));
  });

  it('should write one SVG and one Mermaid file per machine into --out DIR, and refuse without it', async () => {
    for (const [format, ext] of [['svg', 'svg'], ['mermaid', 'mmd']]) {
      const r = await runFiles('graph', '--machine', 'all', '--format', format, '--out', 'g');
      expect(r.code).toBe(0);
      expect(Object.keys(r.files).sort()).toEqual(Object.values(MACHINES).map((m) => `g/${m.id}.${ext}`).sort());
      for (const text of Object.values(r.files)) {
        if (format === 'svg') expect((text.match(/<svg[\s>]/g) ?? []).length).toBe(1);
        else expect((text.match(/^stateDiagram-v2$/gm) ?? []).length).toBe(1);
      }
      const refused = await run('graph', '--machine', 'all', '--format', format);
      expect([refused.code, refused.err]).toEqual([2, `vkm: --machine all --format ${format} writes one file per machine: give --out DIR`]);
    }
  });
});

describe('vkm graph --reachable', () => {
  it('should refuse a graph too big to read, and draw it projected, keeping the events the object accepts', async () => {
    const big = await run('graph', '--scenario', 'type1-unmap', '--reachable');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/more than 100 states; .*--project MACHINE/);
    const projected = await run('graph', '--scenario', 'type1-unmap', '--reachable', '--project', 'vfio-container', '--format', 'json');
    expect(projected.code).toBe(0);
    const g = JSON.parse(projected.out) as { edges: { from: string; to: string; label: string; refused?: string }[] };
    // successful maps and unmaps leave the container active: they stay, as self-loops, beside the refusals.
    expect(g.edges.filter((e) => e.from === e.to && !e.refused).map((e) => e.label)).toEqual(expect.arrayContaining(['vmm.vfio.dma.map', 'vmm.vfio.dma.unmap']));
    expect(g.edges.some((e) => e.refused === 'EEXIST')).toBe(true);
  });

  it('should give every node a label of its own', async () => {
    const r = await run('graph', '--scenario', 'spapr-lifecycle', '--param', 'T=0', '--reachable', '--format', 'json');
    const g = JSON.parse(r.out) as { nodes: { label: string }[] };
    expect(g.nodes.length).toBeGreaterThan(10);
    expect(new Set(g.nodes.map((n) => n.label)).size).toBe(g.nodes.length);
  });
});
