/**
 * A checker worker thread (the entry point `--workers N` starts, by URL): imports the seeded
 * faults and the parent's user modules, builds the scenario's setup once, then expands the states
 * it is sent (as choice paths from the setup) and returns successor keys, violations and covers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AncestorCache, type Ancestor } from '../check/ancestors.js';
import { cloneWorld } from '../model/world.js';
import { deviceCheck, propertyNamed } from '../../properties/index.js';
import { buildSetup } from '../check/explore.js';
import { expandState, type Expander } from '../check/expand.js';
import { fingerprint } from '../check/fingerprint.js';
import { incrementalKeyFn, stateKeyFn } from '../check/state-key.js';
import { scenarioNamed } from '../check/scenarios/index.js';
import type { WorkerInit, WorkerRequest, WorkerResult } from '../check/worker-protocol.js';
import { importUserModule } from '../modules/load.js';
import { U32List } from '../util/u32-list.js';
import { CHECKED, IN_TABLE, KnownKeys } from '../check/known-keys.js';
import '../../faults/index.js';

const init = workerData as WorkerInit;
for (const m of init.modules) await importUserModule(m);
const s = scenarioNamed(init.scenario)!;
const props = s.properties.map((n) => propertyNamed(n)!);
const { world: root, ctx } = buildSetup(s, init.params, init.variant);
const key = stateKeyFn(s, init.params, ctx, init.symmetry) ?? fingerprint;
/**
 * Keys this worker knows (known-keys.ts), told by the parent with each request or found here. A
 * million slots (12 MiB): at a quarter of that, a worker checked twice the states one thread did.
 */
const known = new KnownKeys(20);
const checked = (k: [number, number]) => known.checked(k[0], k[1]);
const observe = init.preemptions > 0 ? deviceCheck(props) ?? (() => []) : undefined;
/** Covers this worker has reported hit: the parent merges slices in order, so once is enough. */
const reported = new Set<number>();
/** The state being expanded: the expander's parentKey reads it (one expander, not a copy per state). */
let parent: Ancestor | undefined;
const expander: Expander = {
  props, covers: s.covers, key, incremental: incrementalKeyFn(s, init.params, ctx, init.symmetry), checked, observe, preemptions: init.preemptions, countCalls: init.coverage,
  coverPending: (i: number) => !reported.has(i), parentKey: () => (parent!.key ??= key(parent!.world)),
};

// paths name the states: a parent is its path without the last choice.
const ancestors = new AncestorCache<string>(
  () => cloneWorld(root),
  (k) => {
    if (k === '') return undefined;
    const cut = k.lastIndexOf(',');
    return { parent: cut < 0 ? '' : k.slice(0, cut), move: Number(k.slice(cut + 1)) };
  },
  (w) => s.choices(w, init.params, ctx),
);

/** The reply's keys, laid out as WorkerResult.keys says (a key only where the parent may not hold it). */
const reply = new U32List(1 << 16);

parentPort!.on('message', ({ paths, known: added }: WorkerRequest) => {
  for (let i = 0; i < added.length; i += 2) known.remember(added[i], added[i + 1], IN_TABLE);
  const covers = new Set<number>();
  let violation: WorkerResult['violation'];
  let whole: WorkerResult['whole'];
  const moves: NonNullable<WorkerResult['moves']> = [];
  paths.forEach((path, state) => ancestors.expand(path.join(','), (a) => {
    const { world: w, choices } = a;
    parent = a;
    const at = reply.length;
    reply.push(0);
    expandState(w, choices, expander, (move, succ) => {
      reply.bump(at);
      for (const c of succ.covers) {
        covers.add(c);
        reported.add(c);
      }
      if (succ.violations.length) {
        const v = { state, move, list: succ.violations, step: succ.event.step };
        violation ??= v;
        if (!v.step?.actor) whole ??= v;
      }
      const k = succ.key;
      const isWhole = move < choices.length;
      // most moves reach states the visited set holds: their keys are left out, and the parent skips their lookups.
      const sendKey = succ.violations.length > 0 || !known.inTable(k[0], k[1]);
      // the parent adds a key this worker sends before it merges this worker's later moves, unless
      // the move is an interleaving it passes over (while an interleaved violation waits).
      if (!succ.violations.length) known.remember(k[0], k[1], isWhole ? IN_TABLE : CHECKED);
      if (init.coverage) moves.push({ type: succ.event.type, code: succ.code, interleaved: succ.event.step?.actor !== undefined, calls: succ.calls });
      reply.push(move);
      reply.push((succ.ok && isWhole ? 1 : 0) | (isWhole ? 2 : 0) | (sendKey ? 4 : 0));
      if (sendKey) {
        reply.push(k[0]);
        reply.push(k[1]);
      }
    });
  }));
  const result: WorkerResult = { keys: reply.take(), covers: [...covers], violation, whole, ...(init.coverage ? { moves } : {}) };
  // the keys' buffer is the reply's own (a slice): handed over, not copied.
  parentPort!.postMessage(result, [result.keys.buffer as ArrayBuffer]);
});
