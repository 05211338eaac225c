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

/**
 * Locks an op holds while it runs, by `table.op`, as the kernel code takes them. An actor's event
 * that needs a lock the interrupted op holds would wait for it, so it does not run there. One lock
 * of each name stands for all (the scenarios run one VM and one container).
 */
export const OP_LOCKS: Readonly<Record<string, string>> = {
  // KVM's MMU work runs under kvm->mmu_lock, and so does its mmu-notifier handler.
  'kvm_mmu.page_fault': 'kvm->mmu_lock',
  'kvm_mmu.flush_shadow_memslot': 'kvm->mmu_lock',
  'kvm_mmu.rearm_dirty_log': 'kvm->mmu_lock',
  'kvm_mmu.invalidate_range_start': 'kvm->mmu_lock',
  'kvm_stage2_share.slot_added': 'kvm->mmu_lock',
  'kvm_stage2_share.slot_removed': 'kvm->mmu_lock',
  // type1's ioctls hold iommu->lock (no actor takes it: a second ioctl is not an actor).
  'vfio_iommu_type1.map_dma': 'iommu->lock',
  'vfio_iommu_type1.unmap_dma': 'iommu->lock',
};

/** What the checker does at each step point of the event it is applying. */
export type StepHook = (name: string, kind: StepKind) => void;

let hook: StepHook | undefined;
/** Whether an actor's event is running inside an interrupted op. */
let inActor = false;
const opStack: string[] = [];
/** Locks held, with how deep, by the interrupted op ('op') or by the actor's event inside it ('actor'). */
const held = new Map<string, { by: 'op' | 'actor'; depth: number }>();

/** Whether ops are traced (a hook is installed, an actor runs, or calls are counted): step points named, locks taken. A live binding, read per op call. */
export let tracing = false;
/** Op calls counted for coverage, while `withOpCounts` runs. */
let counts: Map<string, number> | undefined;
const traceWanted = () => hook !== undefined || inActor || counts !== undefined;

/** Runs `fn` counting the calls of every op it makes (action coverage); returns both. */
export function withOpCounts<T>(fn: () => T): { result: T; calls: Map<string, number> } {
  const outer = counts;
  const calls = new Map<string, number>();
  counts = calls;
  tracing = true;
  try {
    return { result: fn(), calls };
  } finally {
    counts = outer;
    tracing = traceWanted();
  }
}

/** Whether ops are traced (the function form of `tracing`). */
export function tracingSteps(): boolean {
  return tracing;
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
  tracing = true;
  try {
    return fn();
  } finally {
    hook = outer;
    tracing = traceWanted();
    opStack.length = depth;
    held.clear();
  }
}

/** Runs an actor's event inside a step point: no step points of its own, and it waits for the op's locks. */
export function withoutSteps<T>(fn: () => T): T {
  const outer = hook;
  hook = undefined;
  inActor = true;
  tracing = true;
  try {
    return fn();
  } finally {
    hook = outer;
    inActor = false;
    tracing = traceWanted();
    for (const [lock, h] of held) if (h.by === 'actor') held.delete(lock);
  }
}

/** Takes a lock for an op; WouldWait when the interrupted op holds it and an actor asks. */
function acquire(lock: string): void {
  const by = inActor ? 'actor' : 'op';
  const h = held.get(lock);
  if (h && h.by !== by) throw new WouldWait(`${lock} is held by the interrupted op`);
  if (h) h.depth++;
  else held.set(lock, { by, depth: 1 });
}

function release(lock: string): void {
  const h = held.get(lock);
  if (h && --h.depth === 0) held.delete(lock);
}

/** Wraps one op so the step points inside it carry its name, and an op that is a step is one. */
export function traceOp<F extends (...args: never[]) => unknown>(table: TableName, op: string, fn: F): F {
  const name = `${table}.${op}`;
  const kind = STEP_OPS[name];
  const lock = OP_LOCKS[name];
  const traced = function (this: unknown, ...args: never[]) {
    if (counts) counts.set(name, (counts.get(name) ?? 0) + 1);
    if (lock) acquire(lock);
    opStack.push(name);
    let out: unknown;
    try {
      out = fn.apply(this, args);
    } finally {
      opStack.pop();
      if (lock) release(lock);
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
export class WouldWait extends Error {
  constructor(message: string) {
    // a signal the explorer catches at every step point an actor cannot use, never shown: no stack
    // trace (capturing one cost more than the op it interrupts).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

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
