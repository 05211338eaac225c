/**
 * Replay checks an invariant again only when the event changed a part of the world it reads, or a
 * frame it read when last checked. These tests hold every verdict to the full check (`checkAll`)
 * and show that the skipping is real: with 256 MiB mapped, the walks over every mapping do not run
 * for device reads and writes.
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULTS } from '../../faults/index.js';
import { counterexampleLines, runCheck } from '../../src/check/run.js';
import { scenarioNamed } from '../../src/check/scenarios/index.js';
import type { Scenario } from '../../src/check/scenario.js';
import type { LogEntry, ModelEvent } from '../../src/events/types.js';
import { frameForRead } from '../../src/toolkit.js';
import { IdScope, readLine, readLog } from '../../src/log/read-log.js';
import { replay, type ReplayResult } from '../../src/log/replay.js';
import { digest } from '../../src/model/digest.js';
import { cloneWorld } from '../../src/model/world.js';
import { PROPERTIES, type Invariant, type Property } from '../../properties/index.js';
import { choicePath, defaultRuns, scenarioRun } from '../support/scenario-paths.js';
import { type1Setup } from '../../src/bench/generate.js';

const setups = [...defaultRuns(), ...FAULTS.map((f) => scenarioRun(scenarioNamed(f.scenario)! as Scenario<unknown>, f.params ?? {}, f.design.name))];

const asEntries = (events: readonly ModelEvent[]): LogEntry[] => events.map((event, i) => ({ line: i + 1, event }));

/** What a replay said, line by line: outcomes, violations (in order), mismatches; and the final digest. */
function said(r: ReplayResult) {
  return { steps: r.steps.map((s) => [s.line, s.outcome.code, s.mismatch, s.violations.map((v) => `${v.property}: ${v.message}`)]), violated: r.violated?.line, digest: digest(r.world) };
}

/** The same replay, incremental and with every property checked after every line. */
function bothWays(entries: readonly LogEntry[], opts: { world?: () => ReturnType<typeof cloneWorld>; properties?: readonly Property[] } = {}) {
  const run = (checkAll: boolean) => said(replay(entries, { keepGoing: true, checkAll, world: opts.world?.(), properties: opts.properties }));
  return { incremental: run(false), full: run(true) };
}

const HVA = 0x7f00_0000_0000n;
const SETUP = type1Setup({ process: '"memlock":"0x40000000"', hva: HVA, bytes: 0x1000_0000n });

function parse(lines: readonly string[]): LogEntry[] {
  const ids = new IdScope();
  return lines.map((l, i) => readLine(l, 't.jsonl', i + 1, ids) as LogEntry);
}

const map = (iova: number, bytes: number) => `{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x${HVA.toString(16)}","iova":"0x${iova.toString(16)}","size":"0x${bytes.toString(16)}"}`;
const dmaRead = (iova: number) => `{"type":"device.dma.read","device":"nic0","iova":"0x${iova.toString(16)}","len":4}`;
const dmaWrite = (iova: number, data: string) => `{"type":"device.dma.write","device":"nic0","iova":"0x${iova.toString(16)}","data":"${data}"}`;

/** The built-in properties, each counting how often its check runs. */
function counted(): { props: Property[]; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const props = PROPERTIES.map((p): Property => {
    const check = (...args: unknown[]) => {
      calls.set(p.name, (calls.get(p.name) ?? 0) + 1);
      return (p.check as (...a: unknown[]) => ReturnType<Invariant['check']>)(...args);
    };
    return { ...p, check } as Property;
  });
  return { props, calls };
}

describe('replay in proportion to change', () => {
  it.prop([fc.nat({ max: setups.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 30 })], { numRuns: 150 })(
    'should give the full check\'s verdicts along random paths of every scenario and seeded fault',
    (which, picks) => {
      const run = setups[which];
      const r = bothWays(asEntries(choicePath(run, picks)), { world: () => cloneWorld(run.setup.world) });
      expect(r.incremental).toEqual(r.full);
    },
  );

  it.each(FAULTS.map((f) => [f.design.name, f] as const))('should give the full check\'s verdicts along %s\'s counterexample, step points and actors included', (_name, f) => {
    const v = runCheck({ scenario: f.scenario, params: f.params ?? {}, variant: f.design.name }).result.violations[0];
    const log = readLog(counterexampleLines(v.trace).join('\n'), 'cex.jsonl');
    if (!log.ok) throw new Error('counterexample log did not read');
    const r = bothWays(log.entries);
    expect(r.incremental).toEqual(r.full);
    expect(r.incremental.violated).toBe(v.trace.length);
  });

  it('should give the full check\'s verdicts on every bundled log', () => {
    const dir = join(__dirname, '../../examples');
    const files = [...readdirSync(dir), ...readdirSync(join(dir, 'fidelity')).map((f) => `fidelity/${f}`)].filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const log = readLog(readFileSync(join(dir, f), 'utf8'), f);
      if (!log.ok) continue;
      const r = bothWays(log.entries);
      expect(r.incremental, f).toEqual(r.full);
    }
  });

  it('should not walk every mapping again for device reads and writes with 256 MiB mapped (the reliability report\'s input)', () => {
    const reads = Array.from({ length: 100 }, (_, i) => dmaRead(i * 0x101000));
    const writes = Array.from({ length: 100 }, (_, i) => dmaWrite(i * 0x101000, '01020304'));
    const { props, calls } = counted();
    const r = replay(parse([...SETUP, map(0, 0x1000_0000), ...reads, ...writes]), { properties: props });
    expect(r.steps.map((s) => s.outcome.code).filter((c) => c !== 'OK')).toEqual([]);
    expect(r.violated).toBeUndefined();
    // once per setup line at most: none of the 200 device accesses runs them again.
    for (const name of ['no-iova-to-unpinned-page', 'isolation', 'pin-balance']) expect(calls.get(name), name).toBeLessThanOrEqual(SETUP.length + 1);
  });

  it('should check a property again when a frame it read changes, and only then', () => {
    // a user invariant reading the first byte of the frame behind IOVA 0 (through the toolkit).
    let checks = 0;
    const firstByte: Invariant = {
      name: 'first-page-not-ee',
      kind: 'invariant',
      description: 'the frame behind IOVA 0 never starts with 0xee',
      reads: ['containers', 'frames'],
      check(view) {
        checks++;
        const pfn = view.w.containers.get('c0')?.iommu?.dmas[0]?.pfns[0];
        return pfn !== undefined && frameForRead(view.w.frames, pfn)[0] === 0xee ? [{ property: 'first-page-not-ee', message: `frame 0x${pfn.toString(16)} starts with 0xee` }] : [];
      },
    };
    const mapped = [...SETUP, map(0, 0x2000)];
    const other = [...mapped, dmaWrite(0x1000, 'ee'), dmaWrite(0x1000, 'ee11')];
    const checksOver = (lines: string[]) => {
      checks = 0;
      const r = replay(parse(lines), { properties: [firstByte] });
      return { checks, violated: r.violated?.line };
    };
    checksOver(other); // every event type's footprint learned first
    const a = checksOver(mapped);
    const b = checksOver(other);
    const c = checksOver([...other, dmaWrite(0, 'ee')]);
    // the writes to the second page left every frame it read alone; the write to the first did not.
    expect([b.checks - a.checks, b.violated]).toEqual([0, undefined]);
    expect([c.checks - b.checks, c.violated]).toEqual([1, other.length + 1]);
  });

  it('should be told apart from the full check when a property says it reads less than it does', () => {
    // planted: reads the containers but declares only the VMs, so replay keeps a stale verdict.
    const tooShort: Invariant = {
      name: 'at-most-one-dma',
      kind: 'invariant',
      description: 'no container maps more than one range',
      reads: ['vms'],
      check: (view) => [...view.w.containers.values()].filter((c) => (c.iommu?.dmas.length ?? 0) > 1).map((c) => ({ property: 'at-most-one-dma', message: `${c.id} maps ${c.iommu!.dmas.length} ranges` })),
    };
    const entries = parse([...SETUP, map(0, 0x1000), map(0x10000, 0x1000)]);
    // once first, so every event type's footprint is learned (a first apply copies every map).
    replay(entries, { properties: [tooShort], keepGoing: true });
    const r = bothWays(entries, { properties: [tooShort] });
    expect(r.full.violated).toBe(SETUP.length + 2);
    expect(r.incremental.violated).toBeUndefined();
  });
});
