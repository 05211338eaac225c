/**
 * KVM's stage-2 table of an x86 VM, held in host frames in the EPT format of layout.ts: created
 * on the first fault, filled on guest access, zapped before a page moves, write-protected for
 * dirty logging, freed with the VM. Reads go through the VT-d walker, which an IOMMU sharing the
 * table also uses.
 */
import { allocFrame, frameForRead, frameForWrite, freeFrame, type FramePool } from '../../memory/frames.js';
import { vtdLeaves, vtdTranslate } from '../../iommu/vtd/table.js';
import type { Leaf, Translation } from '../../iommu/format.js';
import { EPT_ENTRY_SIZE, EPT_LEVELS, eptClear, eptClearDirty, eptClearWrite, eptDirty, eptIndex, eptPerm, eptPfn, eptSetDirty, eptSetWrite, eptWriteLeaf, eptWriteTable } from './layout.js';
import type { Stage2, Vm, World } from '../../model/world.js';
import { stepPoint } from '../../ops/steps.js';
import { stage2Owner } from '../../memory/owners.js';

/** Guest page numbers below this fit the 4-level, 48-bit table (x86 kvm_mmu_max_gfn() + 1 here). */
export const S2_MAX_GFN_PAGES = 2 ** 36;



/** Byte offset of the leaf slot of `gpaPage` in its leaf table, allocating tables when `alloc`. */
function leafSlot(pool: FramePool, s2: Stage2, gpaPage: number, owner?: string): { table: number; off: number } | undefined {
  let table = s2.root;
  for (let level = EPT_LEVELS; level > 1; level--) {
    const off = eptIndex(gpaPage, level) * EPT_ENTRY_SIZE;
    const bytes = frameForRead(pool, table);
    if (eptPerm(bytes, off) !== 0) {
      table = eptPfn(bytes, off);
      continue;
    }
    if (owner === undefined) return undefined;
    const next = allocFrame(pool, owner);
    s2.tables.push(next);
    eptWriteTable(frameForWrite(pool, table, off, EPT_ENTRY_SIZE), off, next);
    table = next;
  }
  return { table, off: eptIndex(gpaPage, 1) * EPT_ENTRY_SIZE };
}

/** The leaf of a guest page, read from the table bytes. */
export function s2Lookup(w: World, vm: Vm, gpaPage: number): Translation | undefined {
  return vm.s2 ? vtdTranslate(w.frames, vm.s2.root, gpaPage) : undefined;
}

/** The VM's table, creating its root on first use. */
export function s2Ensure(w: World, vm: Vm): Stage2 {
  vm.s2 ??= { root: allocFrame(w.frames, stage2Owner(vm.id)), tables: [] };
  return vm.s2;
}

/** Installs a leaf (KVM's page-fault path). */
export function s2Install(w: World, vm: Vm, gpaPage: number, pfn: number, writable: boolean): void {
  const slot = leafSlot(w.frames, s2Ensure(w, vm), gpaPage, stage2Owner(vm.id))!;
  eptWriteLeaf(frameForWrite(w.frames, slot.table, slot.off, EPT_ENTRY_SIZE), slot.off, pfn, writable);
  stepPoint('table-write');
}

/** Zaps a present leaf; returns whether there was one (the caller flushes TLBs). */
export function s2Zap(w: World, vm: Vm, gpaPage: number): boolean {
  if (!vm.s2) return false;
  const slot = leafSlot(w.frames, vm.s2, gpaPage);
  if (!slot || eptPerm(frameForRead(w.frames, slot.table), slot.off) === 0) return false;
  eptClear(frameForWrite(w.frames, slot.table, slot.off, EPT_ENTRY_SIZE), slot.off);
  stepPoint('table-write');
  return true;
}

/** Clears W on a present writable leaf; returns whether it changed. */
export function s2WriteProtect(w: World, vm: Vm, gpaPage: number): boolean {
  if (!vm.s2) return false;
  const slot = leafSlot(w.frames, vm.s2, gpaPage);
  if (!slot || (eptPerm(frameForRead(w.frames, slot.table), slot.off) & 2) === 0) return false;
  eptClearWrite(frameForWrite(w.frames, slot.table, slot.off, EPT_ENTRY_SIZE), slot.off);
  stepPoint('table-write');
  return true;
}

/** Sets W on a present leaf (a write-protection fault KVM resolved). */
export function s2MakeWritable(w: World, vm: Vm, gpaPage: number): void {
  const slot = vm.s2 && leafSlot(w.frames, vm.s2, gpaPage);
  if (!slot) return;
  eptSetWrite(frameForWrite(w.frames, slot.table, slot.off, EPT_ENTRY_SIZE), slot.off);
  stepPoint('table-write');
}

/** Whether a present leaf has its dirty bit set. */
export function s2IsDirty(w: World, vm: Vm, gpaPage: number): boolean {
  const slot = vm.s2 && leafSlot(w.frames, vm.s2, gpaPage);
  if (!slot) return false;
  const bytes = frameForRead(w.frames, slot.table);
  return eptPerm(bytes, slot.off) !== 0 && eptDirty(bytes, slot.off);
}

/** Sets the dirty bit of a present leaf (what the CPU or an A/D-capable IOMMU does on a write). */
export function s2SetDirty(w: World, vm: Vm, gpaPage: number): void {
  if (s2IsDirty(w, vm, gpaPage)) return;
  const slot = vm.s2 && leafSlot(w.frames, vm.s2, gpaPage);
  if (!slot || eptPerm(frameForRead(w.frames, slot.table), slot.off) === 0) return;
  eptSetDirty(frameForWrite(w.frames, slot.table, slot.off, EPT_ENTRY_SIZE), slot.off);
  stepPoint('table-write');
}

/** Clears a leaf's dirty bit; returns whether it was set. */
export function s2TestAndClearDirty(w: World, vm: Vm, gpaPage: number): boolean {
  if (!s2IsDirty(w, vm, gpaPage)) return false;
  const slot = leafSlot(w.frames, vm.s2!, gpaPage)!;
  eptClearDirty(frameForWrite(w.frames, slot.table, slot.off, EPT_ENTRY_SIZE), slot.off);
  stepPoint('table-write');
  return true;
}

/** Every present leaf, from the table bytes. */
export function s2Leaves(w: World, vm: Vm): Leaf[] {
  return vm.s2 ? vtdLeaves(w.frames, vm.s2.root) : [];
}

/** The guest pages of a slot that have a present leaf. */
export function s2SlotPages(w: World, vm: Vm, s: { gpaPage: number; pages: number }): number[] {
  return s2Leaves(w, vm).map((l) => l.iovaPage).filter((p) => p >= s.gpaPage && p < s.gpaPage + s.pages);
}

/** Frees the table frames (VM destroyed). */
export function s2Free(w: World, vm: Vm): void {
  if (!vm.s2) return;
  for (const t of vm.s2.tables) freeFrame(w.frames, t);
  freeFrame(w.frames, vm.s2.root);
  vm.s2 = undefined;
  stepPoint('frame-free');
}
