/**
 * `--workers N`: breadth-first exploration level by level, each level's states split among worker
 * threads. Results are merged in frontier order and choice order, so state numbering, counts, the
 * first violation and its trace are exactly those of the single-threaded explorer.
 */
import { requireDesign } from '../ops/registry.js';
import { Worker } from 'node:worker_threads';
import type { StepMark, SteppedEvent } from '../kernel/stepped.js';
import { checkPreemptions, pathTrace, tryBuildSetup, exploreResult, type ExploreOptions, type ExploreResult, type FoundViolation } from './explore.js';
import { fingerprint } from './fingerprint.js';
import type { Params, Scenario } from './scenario.js';
import { stateKeyFn } from './state-key.js';
import { StateTable } from './visited.js';
import type { WorkerInit, WorkerRequest, WorkerResult } from './worker-protocol.js';
import { loadedModules } from '../ops/origin.js';
import { setupCoverage } from './explore.js';
import { U32List } from '../util/u32-list.js';

/** The compiled worker: beside this file in dist, or dist's copy when running from the TypeScript sources. */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/src/threads/check-worker.js', here) : new URL('../threads/check-worker.js', here);
}

/** States in one request to a worker. */
const SLICE = 256;

export async function exploreParallel<Ctx>(s: Scenario<Ctx>, p: Params, workers: number, opts: ExploreOptions = {}): Promise<ExploreResult> {
  const built = tryBuildSetup(s, p, opts.variant);
  if ('refused' in built) return built.refused;
  const { world: root, events: setupEvents, ctx } = built;
  const key = stateKeyFn(s, p, ctx, opts.symmetry === true) ?? fingerprint;
  const table = new StateTable();
  table.add(key(root), -1, 0, 0);
  const preemptions = checkPreemptions(opts.preemptions);
  const init: WorkerInit = { scenario: s.name, params: p, variant: opts.variant ?? '', symmetry: opts.symmetry === true, preemptions, coverage: opts.coverage === true, modules: loadedModules() };
  const tally = opts.coverage ? setupCoverage(setupEvents) : undefined;
  const pool = Array.from({ length: workers }, () => new Worker(workerUrl(), { workerData: init }));
  // a worker answers its requests in order, so each keeps a queue of the promises it owes.
  const owed = pool.map(() => [] as { resolve: (r: WorkerResult) => void; reject: (e: Error) => void }[]);
  pool.forEach((w, k) => {
    w.on('message', (r: WorkerResult) => owed[k].shift()?.resolve(r));
    w.on('error', (err: Error) => {
      for (const o of owed[k].splice(0)) o.reject(err);
    });
  });
  // each worker is told the keys the table gained since its last request: a successor it would
  // otherwise take for new (found by another worker, or pushed out of its cache) skips its
  // invariants. Without them a worker checked about twice as many states as one thread does.
  const known = pool.map(() => new U32List());
  const ask = (k: number, paths: number[][]) =>
    new Promise<WorkerResult>((resolve, reject) => {
      owed[k].push({ resolve, reject });
      const request: WorkerRequest = { paths, known: known[k].take() };
      pool[k].postMessage(request, [request.known.buffer as ArrayBuffer]);
    });
  const covers = s.covers.map(() => false);
  const now = opts.now ?? (() => 0);
  const started = now();
  let transitions = 0;
  let deepest = 0;
  let deadlocks = 0;
  let incomplete: ExploreResult['incompleteReason'];
  const violations: FoundViolation[] = [];
  const traceTo = (id: number, move: number, step: StepMark | undefined): SteppedEvent[] => {
    const trace = pathTrace(root, setupEvents, [...table.path(id), move], (w) => s.choices(w, p, ctx));
    // a violation found at a step point of a whole choice: the worker says which.
    if (step && !trace.at(-1)!.step) trace[trace.length - 1] = { ...trace.at(-1)!, step };
    return trace;
  };
  // as in the one-thread explorer: a violation through an interleaving gives way to one of the
  // same level reached by a whole choice.
  let interleaved: FoundViolation[] | undefined;
  try {
    let levelStart = 0;
    level: while (levelStart < table.size) {
      const levelEnd = table.size;
      const depth = table.depthOf(levelStart);
      if (depth >= (opts.maxDepth ?? Infinity)) {
        incomplete = 'max-depth';
        break;
      }
      if (opts.timeLimitMs !== undefined && now() - started > opts.timeLimitMs) {
        incomplete = 'time-limit';
        break;
      }
      // a level goes out in slices, each worker a slice ahead of the one it is working on, so no
      // worker waits for the merge; slices are merged in order, and the time limit and stop
      // requests are honoured between them.
      const slices: { first: number; end: number; result?: Promise<WorkerResult> }[] = [];
      for (let first = levelStart; first < levelEnd; first += SLICE) slices.push({ first, end: Math.min(levelEnd, first + SLICE) });
      let sent = 0;
      let merging = true;
      const send = (k: number) => {
        if (!merging || sent >= slices.length) return;
        const sl = slices[sent++];
        const paths: number[][] = [];
        for (let id = sl.first; id < sl.end; id++) paths.push(table.path(id));
        sl.result = ask(k, paths);
        sl.result.then(() => send(k), () => undefined);
      };
      for (let round = 0; round < 2; round++) for (let k = 0; k < workers; k++) send(k);
      try {
        for (let si = 0; si < slices.length; si++) {
          if (si > 0) {
            const stop = opts.shouldStop?.();
            if (stop) {
              incomplete = stop;
              break level;
            }
            if (opts.timeLimitMs !== undefined && now() - started > opts.timeLimitMs) {
              incomplete = 'time-limit';
              break level;
            }
          }
          const sl = slices[si];
          const r = await sl.result!;
          for (const c of r.covers) covers[c] = true;
          let at = 0;
          let mi = 0;
          for (let id = sl.first; id < sl.end; id++) {
            const n = r.keys[at++];
            let anyOk = n === 0;
            for (let c = 0; c < n; c++) {
              const move = r.keys[at];
              const flags = r.keys[at + 1];
              // a key left out is one the table holds by now (the worker knew it to be there).
              const sent = (flags & 4) !== 0;
              const hi = sent ? r.keys[at + 2] : 0;
              const lo = sent ? r.keys[at + 3] : 0;
              at += sent ? 4 : 2;
              const m = r.moves?.[mi++];
              // once an interleaved violation waits, only whole choices are still explored.
              if (interleaved && !(flags & 2)) continue;
              transitions++;
              if (tally && m) {
                const isViolation = [r.violation, r.whole].some((v) => v && v.state === id - sl.first && v.move === move);
                tally.event(m.type, m.code, !isViolation && sent && !table.has([hi, lo]), m.interleaved);
                tally.calls(m.calls);
              }
              if (flags & 1) anyOk = true;
              // nearly every slice has no violation: nothing to look for then.
              const found = r.violation === undefined && r.whole === undefined ? undefined : [r.violation, r.whole].find((v) => v && v.state === id - sl.first && v.move === move && (!interleaved || !v.step?.actor));
              if (found) {
                const trace = traceTo(id, move, found.step);
                const list = found.list.map((v) => ({ ...v, trace, setupLength: setupEvents.length }));
                if (!found.step?.actor) {
                  violations.push(...list);
                  break level;
                }
                interleaved ??= list;
                continue;
              }
              if (!sent) continue;
              const nid = table.add([hi, lo], id, move, depth + 1);
              if (nid >= 0) {
                for (let k = 0; k < workers; k++) {
                  known[k].push(hi);
                  known[k].push(lo);
                }
                deepest = Math.max(deepest, depth + 1);
                if (table.size >= (opts.maxStates ?? Infinity)) {
                  incomplete = 'max-states';
                  break level;
                }
              }
            }
            if (!anyOk && opts.deadlock) deadlocks++;
          }
        }
      } finally {
        merging = false;
      }
      opts.onProgress?.({ states: table.size, transitions, depth, queued: table.size - levelEnd });
      if (interleaved) break;
      levelStart = levelEnd;
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  if (violations.length === 0 && interleaved) {
    violations.push(...interleaved);
    incomplete = undefined;
  }
  const design = requireDesign(opts.variant ?? '');
  const required = s.covers.map((c) => c.applies?.(p, design) ?? true);
  return exploreResult(table, {
    coverage: tally?.toJSON(),
    violations, incomplete, transitions, deepest, deadlocks,
    covers: s.covers.map((c, i) => ({ name: c.name, hit: covers[i] })).filter((_, i) => required[i]),
  });
}
