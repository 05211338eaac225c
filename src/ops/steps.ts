/**
 * Step points: the hardware-visible steps inside an op, where a device, the host mm or another
 * vCPU may act before the op goes on, and where what a device could observe must already be safe.
 * They are declared once, here and in the byte-level writers, so no op can forget one:
 * - the ops in STEP_OPS are steps whatever implements them (a pin, an unpin, a locked_vm charge,
 *   an IOTLB, TCE-cache or ATC invalidation, a DMA-ownership change, a domain's frames freed);
 * - the table writers call `stepPoint` after each leaf they write (IOMMU, TCE and stage-2 bytes),
 *   and `moveFrame` after a page is remapped and after its old frame is freed.
 * Each step point is named after the op it happens in and its kind ("iommu.unmap_pages:
 * table-write"). Nothing happens at a step point unless the checker installed a hook for the event
 * being applied; the model's results never depend on it.
 */
import type { TableName } from './types.js';

export type StepKind = 'table-write' | 'invalidate' | 'pin' | 'unpin' | 'charge' | 'dma-ownership' | 'frame-move' | 'frame-free';

/** The ops that are steps in themselves, by `table.op`. */
export const STEP_OPS: Readonly<Record<string, StepKind>> = {
  'mm.pin_page': 'pin',
  'mm.unpin_page': 'unpin',
  'mm.account_locked_vm': 'charge',
  'iommu.iotlb_sync': 'invalidate',
  'iommu.domain_free': 'frame-free',
  'kvm_stage2_share.flush_iotlb': 'invalidate',
  'vfio_iommu_spapr_tce.tce_kill': 'invalidate',
  'sva.invalidate': 'invalidate',
  'sva.release': 'invalidate',
  'vfio_iommu_type1.attach_group': 'dma-ownership',
  'vfio_iommu_type1.detach_group': 'dma-ownership',
  'vfio_iommu_spapr_tce.attach_group': 'dma-ownership',
  'vfio_iommu_spapr_tce.detach_group': 'dma-ownership',
};

/** What the checker does at each step point of the event it is applying. */
export type StepHook = (name: string, kind: StepKind) => void;

let hook: StepHook | undefined;
const opStack: string[] = [];

/** Whether a hook is installed: ops are then traced so step points can be named. */
export function tracingSteps(): boolean {
  return hook !== undefined;
}

/** A hardware-visible step just happened; the hook (if any) runs before the op goes on. */
export function stepPoint(kind: StepKind): void {
  if (hook === undefined) return;
  hook(`${opStack.at(-1) ?? 'event'}: ${kind}`, kind);
}

/**
 * Runs `fn` with `h` called at every step point it reaches, and no hook afterwards. The hook may
 * apply another event itself (an actor's): that event runs with no hook, so it is atomic.
 */
export function withStepHook<T>(h: StepHook, fn: () => T): T {
  const outer = hook;
  const depth = opStack.length;
  hook = h;
  try {
    return fn();
  } finally {
    hook = outer;
    opStack.length = depth;
  }
}

/** Runs `fn` with no hook (an actor's event inside a step point). */
export function withoutSteps<T>(fn: () => T): T {
  const outer = hook;
  hook = undefined;
  try {
    return fn();
  } finally {
    hook = outer;
  }
}

/** Wraps one op so the step points inside it carry its name, and an op that is a step is one. */
export function traceOp<F extends (...args: never[]) => unknown>(table: TableName, op: string, fn: F): F {
  const name = `${table}.${op}`;
  const kind = STEP_OPS[name];
  const traced = function (this: unknown, ...args: never[]) {
    opStack.push(name);
    let out: unknown;
    try {
      out = fn.apply(this, args);
    } finally {
      opStack.pop();
    }
    if (kind) stepPoint(kind);
    return out;
  };
  return traced as unknown as F;
}

/** Process pages under migration (`mm:page`), from the mmu-notifier call to the end of the move. */
const migrating = new Set<string>();

/**
 * Thrown when an actor's event would have to wait for what the interrupted op holds (a fault on a
 * page being migrated waits for the migration entry): that actor cannot run at that step point.
 */
export class WouldWait extends Error {}

/** Runs `fn` with process page `page` of `mm` under migration (migrate_pages' migration entry). */
export function migratingPage<T>(mm: string, page: number, fn: () => T): T {
  const k = `${mm}:${page}`;
  migrating.add(k);
  try {
    return fn();
  } finally {
    migrating.delete(k);
  }
}

/** A fault on `page` waits while it is under migration: inside an actor's event that is WouldWait. */
export function faultWaits(mm: string, page: number): void {
  if (migrating.size > 0 && migrating.has(`${mm}:${page}`)) throw new WouldWait(`page ${page} of ${mm} is under migration`);
}
