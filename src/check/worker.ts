/**
 * A checker worker thread: builds the scenario's setup once, then expands the states it is sent
 * (as choice paths from the setup) and returns successor keys, violations and covers hit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { applyForked, sealWorld } from '../model/fork.js';
import { cloneWorld, type World } from '../model/world.js';
import { propertyNamed } from '../../properties/index.js';
import { buildSetup, type Ancestor } from './explore.js';
import { expandChoice } from './expand.js';
import { fingerprint } from './fingerprint.js';
import { stateKeyFn } from './state-key.js';
import { scenarioNamed } from './scenarios/index.js';
import './faults.js';

export interface WorkerInit {
  readonly scenario: string;
  readonly params: Record<string, number>;
  readonly variant: string;
  readonly symmetry: boolean;
}

export interface WorkerResult {
  /** Per state: number of choices, then per choice: key hi, key lo, ok flag. */
  readonly keys: Uint32Array;
  readonly covers: number[];
  /** The first violation in this batch's order: batch index, choice index, violations. */
  readonly violation?: { state: number; choice: number; list: { property: string; message: string }[] };
}

const init = workerData as WorkerInit;
const s = scenarioNamed(init.scenario)!;
const props = s.properties.map((n) => propertyNamed(n)!);
const { world: root, ctx } = buildSetup(s, init.params, init.variant);
const key = stateKeyFn(s, init.params, ctx, init.symmetry) ?? fingerprint;
/**
 * Keys whose invariants this worker already checked, in a fixed-size direct-mapped cache (a
 * miss only means checking again), so workers skip the invariants of known states too.
 */
const CACHE_BITS = 18;
const cacheHi = new Uint32Array(1 << CACHE_BITS);
const cacheLo = new Uint32Array(1 << CACHE_BITS);
const slot = (k: [number, number]) => (Math.imul(k[1] ^ (k[0] >>> 5), 0x9e3779b1) >>> 0) >>> (32 - CACHE_BITS);
const checked = (k: [number, number]) => {
  const i = slot(k);
  return cacheHi[i] === k[0] >>> 0 && cacheLo[i] === k[1] >>> 0 && (k[0] | k[1]) !== 0;
};
const expander = { props, covers: s.covers, key, checked };

/**
 * Sibling states arrive one after another, so recent parents (and their parents), kept pristine
 * with their choices and named by their paths, turn a replay from the setup into one clone and
 * one event.
 */
const ancestors = new Map<string, Ancestor>();
const ANCESTORS_KEPT = 64;

function ancestor(path: readonly number[]): Ancestor {
  const k = path.join(',');
  let a = ancestors.get(k);
  if (a) {
    // least recently used goes first: a parent stays while its children are expanded.
    ancestors.delete(k);
    ancestors.set(k, a);
    return a;
  }
  const world = sealWorld(rebuild(path));
  a = { world, choices: s.choices(world, init.params, ctx) };
  if (ancestors.size >= ANCESTORS_KEPT) ancestors.delete(ancestors.keys().next().value!);
  ancestors.set(k, a);
  return a;
}

function rebuild(path: readonly number[]): World {
  if (path.length === 0) return cloneWorld(root);
  const parent = ancestor(path.slice(0, -1));
  return applyForked(parent.world, parent.choices[path[path.length - 1]]).world;
}

parentPort!.on('message', (paths: number[][]) => {
  const keys: number[] = [];
  const covers = new Set<number>();
  let violation: WorkerResult['violation'];
  paths.forEach((path, state) => {
    const a = ancestor(path);
    const { world: w, choices } = a;
    const x = { ...expander, parentKey: () => (a.key ??= key(w)) };
    keys.push(choices.length);
    choices.forEach((event, choice) => {
      const succ = expandChoice(w, event, x);
      for (const c of succ.covers) covers.add(c);
      if (succ.violations.length && !violation) violation = { state, choice, list: succ.violations };
      const k = succ.key;
      if (!succ.violations.length) {
        const i = slot(k);
        cacheHi[i] = k[0] >>> 0;
        cacheLo[i] = k[1] >>> 0;
      }
      keys.push(k[0], k[1], succ.ok ? 1 : 0);
    });
  });
  const result: WorkerResult = { keys: Uint32Array.from(keys), covers: [...covers], violation };
  parentPort!.postMessage(result);
});
