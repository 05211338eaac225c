/** What the explorer and its worker threads (src/threads/check-worker.ts) send each other. */
import type { StepMark } from '../kernel/stepped.js';
import type { LoadedModule } from '../ops/origin.js';

export interface WorkerInit {
  readonly scenario: string;
  readonly params: Record<string, number>;
  readonly variant: string;
  readonly symmetry: boolean;
  readonly preemptions: number;
  /** User modules to import before anything else, in the order the parent loaded them. */
  readonly modules: readonly LoadedModule[];
}

export interface WorkerResult {
  /** Per state: number of moves, then per move: move index, key hi, key lo, ok flag (1 for a whole choice that succeeded). */
  readonly keys: Uint32Array;
  readonly covers: number[];
  /** The first violation in this batch's order: batch index, move index, violations, and where inside the event. */
  readonly violation?: { state: number; move: number; list: { property: string; message: string }[]; step?: StepMark };
}
