/**
 * `--workers N`: breadth-first exploration level by level, each level's states split among worker
 * threads. Results are merged in frontier order and choice order, so state numbering, counts, the
 * first violation and its trace are exactly those of the single-threaded explorer.
 */
import { variantNamed } from '../model/variant.js';
import { Worker } from 'node:worker_threads';
import { applyEvent } from '../model/reduce.js';
import { cloneWorld } from '../model/world.js';
import type { ModelEvent } from '../events/types.js';
import { buildSetup, exploreResult, type ExploreOptions, type ExploreResult, type FoundViolation } from './explore.js';
import { fingerprint } from './fingerprint.js';
import type { Params, Scenario } from './scenario.js';
import { stateKeyFn } from './state-key.js';
import { StateTable } from './visited.js';
import type { WorkerInit, WorkerResult } from './worker.js';

/** The compiled worker: beside this file in dist, or dist's copy when running from the TypeScript sources. */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/src/check/worker.js', here) : new URL('./worker.js', here);
}

/** States per worker in one round of a level. */
const SLICE = 512;

export async function exploreParallel<Ctx>(s: Scenario<Ctx>, p: Params, workers: number, opts: ExploreOptions = {}): Promise<ExploreResult> {
  const { world: root, events: setupEvents, ctx } = buildSetup(s, p, opts.variant);
  const key = stateKeyFn(s, p, ctx, opts.symmetry === true) ?? fingerprint;
  const table = new StateTable();
  table.add(key(root), -1, 0, 0);
  const init: WorkerInit = { scenario: s.name, params: p, variant: opts.variant ?? '', symmetry: opts.symmetry === true };
  const pool = Array.from({ length: workers }, () => new Worker(workerUrl(), { workerData: init }));
  const ask = (w: Worker, paths: number[][]) =>
    new Promise<WorkerResult>((resolve, reject) => {
      const onError = (err: Error) => {
        w.off('message', onMessage);
        reject(err);
      };
      const onMessage = (r: WorkerResult) => {
        w.off('error', onError);
        resolve(r);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage(paths);
    });
  const covers = s.covers.map(() => false);
  const now = opts.now ?? (() => 0);
  const started = now();
  let transitions = 0;
  let deepest = 0;
  let deadlocks = 0;
  let incomplete: ExploreResult['incompleteReason'];
  const violations: FoundViolation[] = [];
  const traceTo = (id: number, choice: number): ModelEvent[] => {
    const w = cloneWorld(root);
    const out = [...setupEvents];
    for (const c of [...table.path(id), choice]) {
      const e = s.choices(w, p, ctx)[c];
      out.push(e);
      applyEvent(w, e);
    }
    return out;
  };
  try {
    let levelStart = 0;
    level: while (levelStart < table.size) {
      const levelEnd = table.size;
      const depth = table.depth[levelStart];
      if (depth >= (opts.maxDepth ?? Infinity)) {
        incomplete = 'max-depth';
        break;
      }
      if (opts.timeLimitMs !== undefined && now() - started > opts.timeLimitMs) {
        incomplete = 'time-limit';
        break;
      }
      // a level goes out in slices, so the time limit and stop requests are honoured within a level.
      for (let sliceStart = levelStart; sliceStart < levelEnd; sliceStart += SLICE * workers) {
        if (sliceStart > levelStart) {
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
        const ids = Array.from({ length: Math.min(levelEnd, sliceStart + SLICE * workers) - sliceStart }, (_, i) => sliceStart + i);
        const chunk = Math.ceil(ids.length / workers);
        const parts = pool.map((_, k) => ids.slice(k * chunk, (k + 1) * chunk));
        const results = await Promise.all(parts.map((part, k) => (part.length ? ask(pool[k], part.map((id) => table.path(id))) : Promise.resolve(undefined))));
        for (let k = 0; k < parts.length; k++) {
          const r = results[k];
          if (!r) continue;
          for (const c of r.covers) covers[c] = true;
          let at = 0;
          for (let si = 0; si < parts[k].length; si++) {
            const id = parts[k][si];
            const n = r.keys[at++];
            let anyOk = n === 0;
            for (let c = 0; c < n; c++, at += 3) {
              transitions++;
              if (r.keys[at + 2]) anyOk = true;
              if (r.violation && r.violation.state === si && r.violation.choice === c) {
                const trace = traceTo(id, c);
                for (const v of r.violation.list) violations.push({ ...v, trace, setupLength: setupEvents.length });
                break level;
              }
              const nid = table.add([r.keys[at], r.keys[at + 1]], id, c, depth + 1);
              if (nid >= 0) {
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
      }
      opts.onProgress?.({ states: table.size, transitions, depth, queued: table.size - levelEnd });
      levelStart = levelEnd;
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const points = (opts.variant ? variantNamed(opts.variant)?.points : undefined) ?? {};
  const required = s.covers.map((c) => c.applies?.(p, points) ?? true);
  return exploreResult(table, {
    violations, incomplete, transitions, deepest, deadlocks,
    covers: s.covers.map((c, i) => ({ name: c.name, hit: covers[i] })).filter((_, i) => required[i]),
  });
}
