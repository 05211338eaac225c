/**
 * The raw page steps the mm ops are made of: fault a process page in, pin and unpin frames, charge
 * and release locked_vm (kernel-facts §5.2 `__account_locked_vm`, §8). Subsystems call them
 * through `opsOf(w).mm`, so that a design can replace any of them; only the reference mm ops and
 * the read-only helpers (`pinCount`, `canCharge`) are used directly.
 */
import { allocFrame, copyFrame, freeFrame } from '../memory/frames.js';
import { faultWaits, stepPoint } from '../ops/steps.js';
import { machineProbe, stepMachine } from '../ops/machines.js';
import type { Mm } from '../memory/mm.js';
import type { World } from '../model/world.js';
import { anonOwner } from '../memory/owners.js';


/** The frame backing virtual page `page` of `mm`, faulting in a zeroed frame when untouched. */
export function touchPage(w: World, mm: Mm, page: number): number {
  faultWaits(mm.id, page);
  let pfn = mm.pages.get(page);
  if (pfn === undefined) {
    pfn = allocFrame(w.frames, anonOwner(mm.id));
    mm.pages.set(page, pfn);
  }
  return pfn;
}

export function pinCount(w: World, pfn: number): number {
  return w.pins.get(pfn) ?? 0;
}

/** A frame's state in the page-pin machine (machines/page-pin.ts): its pin count is the machine's context. */
export function pinState(count: number): string {
  return count < 0 ? 'underflow' : count === 0 ? 'unpinned' : count === 1 ? 'pinned' : 'pinned-shared';
}

/** One step of a frame's page-pin machine; a refusal here is a model bug (the event follows from the count). */
function pinStep(w: World, pfn: number, count: number, event: string): void {
  const step = stepMachine(w, 'page-pin', pinState(count), event, String(pfn));
  if (step.code) throw new Error(`page-pin: ${event} refused with ${step.code} for frame ${pfn} at pin count ${count}`);
}

export function pinFrame(w: World, pfn: number): void {
  const c = pinCount(w, pfn);
  pinStep(w, pfn, c, c === 0 ? 'PIN_FIRST' : 'PIN_MORE');
  w.pins.set(pfn, c + 1);
  w.stats.pins++;
}

/**
 * Drops one pin. An unpin with no pin is the kernel's refcount underflow (a WARN, no refusal):
 * the machine's `underflow` state, kept as a negative count so pin-balance reports it.
 */
export function unpinFrame(w: World, pfn: number): void {
  const c = pinCount(w, pfn);
  pinStep(w, pfn, c, c <= 0 ? 'UNPIN_UNDERFLOW' : c === 1 ? 'UNPIN_LAST' : c === 2 ? 'UNPIN_TO_ONE' : 'UNPIN_OTHER');
  if (c === 1) w.pins.delete(pfn);
  else w.pins.set(pfn, c - 1);
  w.stats.unpins++;
}

/** Whether migration (and reclaim) must leave a frame alone: the page-pin machine refuses MIGRATE there (folio_maybe_dma_pinned). */
export function pinnedAgainstMigration(w: World, pfn: number): boolean {
  return machineProbe(w, 'page-pin').step(pinState(pinCount(w, pfn)), 'MIGRATE').code !== undefined;
}

/** Whether `n` more pages fit under RLIMIT_MEMLOCK; CAP_IPC_LOCK bypasses the check, not the charge. */
export function canCharge(mm: Mm, n: number, bypass: boolean): boolean {
  return bypass || mm.lockedVm + n <= mm.memlockPages;
}

export function charge(mm: Mm, n: number): void {
  mm.lockedVm += n;
}

export function uncharge(mm: Mm, n: number): void {
  mm.lockedVm -= n;
}

/**
 * Moves process page `page` from frame `from` to frame `to`: the bytes are copied, the page table
 * points at `to` (step point "frame-move"), and `from` is freed ("frame-free"). The caller has
 * dropped every secondary translation of the page first (mmu notifiers).
 */
export function moveFrame(w: World, mm: Mm, page: number, from: number, to: number): void {
  copyFrame(w.frames, from, to);
  mm.pages.set(page, to);
  stepPoint('frame-move');
  freeFrame(w.frames, from);
  stepPoint('frame-free');
}
