/**
 * The fuzzer: hostile inputs through the public API, for a fixed count from a seed. Three kinds
 * of input: event sequences after a valid setup on a random architecture (every event type,
 * hostile field values), hostile log texts (bundled logs cut, reordered, duplicated, with
 * control characters and huge keys spliced in), and hostile checkpoint files (a real one
 * mutated). For each it asserts: no exception escapes, every outcome is a known code, no event
 * takes longer than `slowMs` (the work bound, seen from outside), and a replay twice gives the
 * same digest. Deterministic for a seed but for the timings; the clock is the caller's.
 */
import fc from 'fast-check';
import { decodeCheckpoint } from '../check/checkpoint-file.js';
import { ev, type ModelEvent } from '../events/types.js';
import { eventToLine } from '../events/serialize.js';
import { applyEvent } from '../kernel/reduce.js';
import { readLog } from '../log/read-log.js';
import { replay } from '../log/replay.js';
import { isOutcomeCode } from '../model/codes.js';
import { digest } from '../model/digest.js';
import { emptyWorld } from '../model/world.js';
import { anyEvent, FUZZ_HVA } from './arbitraries.js';

export interface FuzzOptions {
  /** Inputs to try. */
  readonly n: number;
  readonly seed: number;
  /** Texts of valid logs to mutate. */
  readonly logs: readonly string[];
  /** The text of a valid checkpoint to mutate. */
  readonly checkpoint: string;
  readonly now: () => number;
  /** An event slower than this is a failure: a hang in the making. */
  readonly slowMs?: number;
  /** The design the event sequences boot (a registered name; the reference when absent). */
  readonly design?: string;
}

export interface FuzzFailure {
  readonly kind: 'exception' | 'unknown-code' | 'slow' | 'nondeterministic';
  readonly target: 'events' | 'log' | 'checkpoint';
  readonly message: string;
  /** What reproduces it: a JSONL log, or the mutated text. */
  readonly input: string;
}

export interface FuzzReport {
  readonly inputs: number;
  readonly events: number;
  readonly byTarget: Record<'events' | 'log' | 'checkpoint', number>;
  readonly slowestEventMs: number;
  readonly failures: FuzzFailure[];
}

const ARCHES = ['x86', 's390', 'ppc64'] as const;

/** A valid start on each architecture, so generated events reach past the first refusals. */
function setup(arch: (typeof ARCHES)[number], design: string): ModelEvent[] {
  return [
    ev('host.boot', { arch, design }),
    ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 24n }),
    ev('host.pci.device.add', { device: 'nic0', group: 'g7' }),
    ev('vmm.mmap', { mm: 'qemu', hva: FUZZ_HVA, size: 0x100000n }),
    ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }),
    ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 0x100000n, hva: FUZZ_HVA }),
    ev('vmm.kvm.create_device', { vm: 'vm0', dev: 'kv0' }),
    ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }),
    ev('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }),
    ev('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }),
    ev('vmm.vfio.set_iommu', { container: 'c0', iommu: arch === 'ppc64' ? 7 : 3 }),
    ev('vmm.kvm.vfio.file_add', { dev: 'kv0', group: 'g7' }),
    ev('vmm.vfio.group.get_device_fd', { group: 'g7', device: 'nic0', fd: 'f0' }),
  ];
}

const HOSTILE = ['\n', '\u001b[2J', '\u0000', '"', '}', '{"type":', 'x'.repeat(5000), '\ufeff', '\r\n'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('dup' as const), a: fc.nat() }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(...HOSTILE) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const lines = t.split('\n');
    if (m.kind === 'cut') t = t.slice(0, m.at % (t.length + 1));
    else if (m.kind === 'swap') {
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b], lines[a]];
      t = lines.join('\n');
    } else if (m.kind === 'dup') {
      const a = m.a % lines.length;
      lines.splice(a, 0, lines[a]);
      t = lines.join('\n');
    } else if (m.kind === 'byte') {
      const at = m.at % (t.length + 1);
      t = t.slice(0, at) + String.fromCharCode(m.code) + t.slice(at + 1);
    } else {
      const at = m.at % (t.length + 1);
      t = t.slice(0, at) + m.text + t.slice(at);
    }
  }
  return t;
}

const input = fc.oneof(
  { weight: 6, arbitrary: fc.record({ target: fc.constant('events' as const), arch: fc.constantFrom(...ARCHES), events: fc.array(anyEvent, { minLength: 1, maxLength: 8 }) }) },
  { weight: 3, arbitrary: fc.record({ target: fc.constant('log' as const), which: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ target: fc.constant('checkpoint' as const), mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }) }) },
);

/** Whether two texts hold the same JSON (whitespace between tokens is not content). */
function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export function fuzz(opts: FuzzOptions): FuzzReport {
  const slowMs = opts.slowMs ?? 2000;
  const failures: FuzzFailure[] = [];
  const byTarget = { events: 0, log: 0, checkpoint: 0 };
  let events = 0;
  let slowest = 0;
  // drawn in chunks, each from its own seed, so a long run holds one chunk of inputs at a time.
  const CHUNK = 10_000;
  for (let base = 0; base < opts.n; base += CHUNK) {
    const samples = fc.sample(input, { seed: (opts.seed * 1_000_003 + base / CHUNK) | 0, numRuns: Math.min(CHUNK, opts.n - base) });
    samples.forEach((x, j) => runOne(x, base + j));
  }
  return { inputs: opts.n, events, byTarget, slowestEventMs: slowest, failures };

  function runOne(x: (typeof input extends fc.Arbitrary<infer I> ? I : never), i: number): void {
    byTarget[x.target]++;
    if (x.target === 'events') {
      const all = [...setup(x.arch, opts.design ?? ''), ...x.events];
      const asLog = () => all.map((e) => eventToLine(e)).join('\n') + '\n';
      try {
        const w = emptyWorld();
        for (const e of all) {
          const t0 = opts.now();
          const out = applyEvent(w, e);
          const ms = opts.now() - t0;
          events++;
          slowest = Math.max(slowest, ms);
          if (!isOutcomeCode(out.code)) failures.push({ kind: 'unknown-code', target: 'events', message: `${e.type} answered "${out.code}"`, input: asLog() });
          if (ms > slowMs) failures.push({ kind: 'slow', target: 'events', message: `${e.type} took ${Math.round(ms)} ms`, input: asLog() });
        }
        // every 50th sequence is applied again: the same events give the same state.
        if (i % 50 === 0) {
          const again = emptyWorld();
          for (const e of all) applyEvent(again, e);
          if (digest(again) !== digest(w)) failures.push({ kind: 'nondeterministic', target: 'events', message: 'two applications differ', input: asLog() });
        }
      } catch (err) {
        failures.push({ kind: 'exception', target: 'events', message: String((err as Error).message ?? err), input: asLog() });
      }
    } else if (x.target === 'log') {
      const text = mutate(opts.logs[x.which % opts.logs.length], x.mutations);
      try {
        const r = readLog(text, 'fuzz.jsonl');
        if (r.ok) {
          const a = replay(r.entries, { keepGoing: true });
          events += a.steps.length;
          if (i % 50 === 0 && digest(replay(r.entries, { keepGoing: true }).world) !== digest(a.world)) {
            failures.push({ kind: 'nondeterministic', target: 'log', message: 'two replays differ', input: text });
          }
        }
      } catch (err) {
        failures.push({ kind: 'exception', target: 'log', message: String((err as Error).message ?? err), input: text });
      }
    } else {
      const text = mutate(opts.checkpoint, x.mutations);
      try {
        const d = decodeCheckpoint(text);
        if (d.ok && !sameJson(text, opts.checkpoint)) failures.push({ kind: 'exception', target: 'checkpoint', message: 'a changed checkpoint was accepted', input: text });
      } catch (err) {
        failures.push({ kind: 'exception', target: 'checkpoint', message: String((err as Error).message ?? err), input: text });
      }
    }
  }
}
