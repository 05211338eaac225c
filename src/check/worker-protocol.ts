/** What the explorer and its worker threads (src/threads/check-worker.ts) send each other. */
import type { StepMark } from '../kernel/stepped.js';
import type { LoadedModule } from '../ops/origin.js';

export interface WorkerInit {
  readonly scenario: string;
  readonly params: Record<string, number>;
  readonly variant: string;
  readonly symmetry: boolean;
  readonly preemptions: number;
  /** Count action coverage: each move's outcome code and op calls come back with it. */
  readonly coverage: boolean;
  /** User modules to import before anything else, in the order the parent loaded them. */
  readonly modules: readonly LoadedModule[];
}

/** A request: states to expand, by their paths from the setup, and keys the worker may not know. */
export interface WorkerRequest {
  readonly paths: number[][];
  /**
   * Keys (high, low, ...) of states added to the visited set since the last request to this
   * worker: every one had its invariants checked when found, whichever worker found it.
   */
  readonly known: Uint32Array;
}

/** A violation a worker found: batch index, move index, violations, and where inside the event. */
export interface WorkerViolation {
  readonly state: number;
  readonly move: number;
  readonly list: readonly { property: string; message: string }[];
  readonly step?: StepMark;
}

export interface WorkerResult {
  /**
   * Per state: number of moves, then per move: move index, flags (1: a choice that succeeded; 2: a
   * whole choice; 4: its key follows), and key hi, key lo when flag 4 is set. A key is left out
   * only where the worker knows the visited set holds it when the move is merged.
   */
  readonly keys: Uint32Array;
  readonly covers: number[];
  /** The first violation in this batch's order. */
  readonly violation?: WorkerViolation;
  /** The first one reached by a whole choice (no actor inside), which a violation through an interleaving gives way to. */
  readonly whole?: WorkerViolation;
  /** With coverage: per move, in order, the event type, outcome code, whether an actor ran inside, and its op calls. */
  readonly moves?: { type: string; code: string; interleaved: boolean; calls?: Map<string, number> }[];
}
