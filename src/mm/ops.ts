/**
 * The reference mm ops: the host kernel's memory management as the passthrough paths see it.
 * Pins are FOLL_PIN references (folio_maybe_dma_pinned), locked_vm is mm->locked_vm in pages, and
 * a page moves only after every mmu-notifier subscriber has dropped its translation of it.
 */
import { pageOf } from '../memory/constants.js';
import { allocFrame, claimFrame, FIRST_PFN, HOST_FRAMES } from '../memory/frames.js';
import { OK, refused } from '../model/outcome.js';
import { opsOf } from '../ops/registry.js';
import { migratingPage } from '../ops/steps.js';
import type { MmOps } from '../ops/types.js';
import { charge, moveFrame, pinCount, pinFrame, pinnedAgainstMigration, pinState, touchPage, unpinFrame } from './pages.js';
import { stepMachine } from '../ops/machines.js';
import { mmap, vmmMemWrite } from './vmm-memory.js';
import { anonOwner } from '../memory/owners.js';

export const MM_OPS: MmOps = {
  mmap,
  write: vmmMemWrite,
  fault_in: touchPage,
  pin_page: pinFrame,
  unpin_page: unpinFrame,
  page_pinned: pinnedAgainstMigration,
  account_locked_vm: (_w, mm, npages) => charge(mm, npages),

  migrate(w, e) {
    const mm = w.mms.get(e.mm);
    if (!mm) return refused('ESRCH');
    const page = pageOf(e.hva);
    const from = mm.pages.get(page);
    if (from === undefined) return refused('ENOENT');
    const ops = opsOf(w);
    // migrate_pages gives up on a page whose refcount shows extra (DMA) pins.
    if (ops.mm.page_pinned(w, from)) return refused('EBUSY');
    // the frame's page-pin machine takes the step (its `move` action, where a design provides one).
    stepMachine(w, 'page-pin', pinState(pinCount(w, from)), 'MIGRATE', String(from));
    let to: number;
    if (e.pfn === undefined) to = allocFrame(w.frames, anonOwner(mm.id));
    else {
      // no such frame: the host has HOST_FRAMES of them.
      if (e.pfn >= BigInt(HOST_FRAMES) || e.pfn < BigInt(FIRST_PFN)) return refused('EINVAL');
      to = Number(e.pfn);
      if (!claimFrame(w.frames, to, anonOwner(mm.id))) return refused('EBUSY');
    }
    // faults on the page wait from the notifier call until the move is done (the migration entry).
    migratingPage(mm.id, page, () => {
      ops.mm.invalidate_range(w, mm, page);
      moveFrame(w, mm, page, from, to);
    });
    return OK;
  },

  invalidate_range(w, mm, page) {
    const ops = opsOf(w);
    ops.kvm_mmu.invalidate_range_start(w, mm, page);
    ops.sva.invalidate(w, mm, page);
  },
};
