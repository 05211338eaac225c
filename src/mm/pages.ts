/**
 * The raw page steps the mm ops are made of: fault a process page in, pin and unpin frames, charge
 * and release locked_vm (kernel-facts §5.2 `__account_locked_vm`, §8). Subsystems call them
 * through `opsOf(w).mm`, so that a design can replace any of them; only the reference mm ops and
 * the read-only helpers (`pinCount`, `canCharge`) are used directly.
 */
import { allocFrame, copyFrame, freeFrame } from '../memory/frames.js';
import { faultWaits, stepPoint } from '../ops/steps.js';
import type { Mm } from '../memory/mm.js';
import type { World } from '../model/world.js';

export const anonOwner = (mm: string) => 'anon:' + mm;

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

export function pinFrame(w: World, pfn: number): void {
  w.pins.set(pfn, pinCount(w, pfn) + 1);
  w.stats.pins++;
}

/** Drops one pin. An unbalanced unpin is kept as a negative count so pin-balance reports it. */
export function unpinFrame(w: World, pfn: number): void {
  const c = pinCount(w, pfn) - 1;
  if (c === 0) w.pins.delete(pfn);
  else w.pins.set(pfn, c);
  w.stats.unpins++;
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
