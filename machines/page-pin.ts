/**
 * One page frame's pins (pin_user_pages / unpin_user_page, kernel-facts §8). The pin count is the
 * context: the caller names the event by it (PIN_FIRST from 0, PIN_MORE above; UNPIN_LAST from 1,
 * UNPIN_TO_ONE from 2, UNPIN_OTHER above), so the machine states are the three the rules tell
 * apart: unpinned, pinned by one holder, pinned by several.
 *
 * What the host may do in each: migration and reclaim skip a page that may be DMA-pinned
 * (folio_maybe_dma_pinned: migrate_pages gives up with EBUSY, the refcount test in
 * folio_expected_refs fails); the mmu notifier always runs (secondary MMUs drop their
 * translations), and a pinned page keeps its frame. An unpin with no pin is no kernel refusal:
 * unpin_user_page on an unpinned page underflows the refcount behind a WARN. The model keeps that
 * as the `underflow` state (a negative count) for pin-balance to report, rather than refusing,
 * which would hide a double unpin; a PIN there is a fresh pin of a broken page, still broken.
 */
import { setup } from 'xstate';
import { refuse, refuseAction } from './refuse.js';

export type PinEvent =
  | { type: 'PIN_FIRST' }
  | { type: 'PIN_MORE' }
  | { type: 'UNPIN_LAST' }
  | { type: 'UNPIN_TO_ONE' }
  | { type: 'UNPIN_OTHER' }
  | { type: 'UNPIN_UNDERFLOW' }
  | { type: 'MIGRATE' }
  | { type: 'RECLAIM' }
  | { type: 'MMU_INVALIDATE' };

export const pagePinMachine = setup({
  types: { events: {} as PinEvent },
  actions: { refuse: refuseAction, move: () => {}, warnUnderflow: () => {} },
}).createMachine({
  id: 'page-pin',
  initial: 'unpinned',
  // a count the event name contradicts (PIN_MORE with no pin, UNPIN_LAST with two) is a model bug.
  on: { '*': refuse('EFAULT') },
  states: {
    unpinned: {
      on: {
        PIN_FIRST: 'pinned',
        UNPIN_UNDERFLOW: { target: 'underflow', actions: 'warnUnderflow' },
        MIGRATE: { target: 'unpinned', actions: 'move' },
        RECLAIM: 'unpinned',
        MMU_INVALIDATE: 'unpinned',
      },
    },
    pinned: {
      on: {
        PIN_MORE: 'pinned-shared',
        UNPIN_LAST: 'unpinned',
        MIGRATE: refuse('EBUSY'),
        RECLAIM: refuse('EBUSY'),
        MMU_INVALIDATE: 'pinned',
      },
    },
    'pinned-shared': {
      on: {
        PIN_MORE: 'pinned-shared',
        UNPIN_TO_ONE: 'pinned',
        UNPIN_OTHER: 'pinned-shared',
        MIGRATE: refuse('EBUSY'),
        RECLAIM: refuse('EBUSY'),
        MMU_INVALIDATE: 'pinned-shared',
      },
    },
    underflow: {
      on: {
        PIN_MORE: 'underflow',
        UNPIN_UNDERFLOW: { target: 'underflow', actions: 'warnUnderflow' },
        MIGRATE: refuse('EBUSY'),
        RECLAIM: refuse('EBUSY'),
        MMU_INVALIDATE: 'underflow',
      },
    },
  },
});
