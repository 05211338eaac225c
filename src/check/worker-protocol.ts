/** What the explorer and its worker threads (src/threads/check-worker.ts) send each other. */
import type { LoadedModule } from '../ops/origin.js';

export interface WorkerInit {
  readonly scenario: string;
  readonly params: Record<string, number>;
  readonly variant: string;
  readonly symmetry: boolean;
  /** User modules to import before anything else, in the order the parent loaded them. */
  readonly modules: readonly LoadedModule[];
}

export interface WorkerResult {
  /** Per state: number of choices, then per choice: key hi, key lo, ok flag. */
  readonly keys: Uint32Array;
  readonly covers: number[];
  /** The first violation in this batch's order: batch index, choice index, violations. */
  readonly violation?: { state: number; choice: number; list: { property: string; message: string }[] };
}
