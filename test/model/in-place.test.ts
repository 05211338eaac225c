import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { fingerprint, keyBase, successorFingerprint } from '../../src/check/fingerprint.js';
import { buildSetup } from '../../src/check/explore.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';
import { dataGpa, iova, PTE_INVALID, pteWrite } from '../../src/check/scenarios/s390-guest.js';
import { digest } from '../../src/model/digest.js';
import { sealWorld } from '../../src/kernel/seal.js';
import { applyInPlace, WorldJournal } from '../../src/kernel/in-place.js';
import { applyForked } from '../../src/kernel/fork.js';
import { footprintOf } from '../../src/kernel/footprint.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { cloneWorld, type World } from '../../src/model/world.js';
import { allocFrame, frameForRead, frameForWrite, type FramePool } from '../../src/memory/frames.js';
import { ownerShareA, ownerShareB } from '../../src/memory/owner-sum.js';
import { anyEvent } from '../support/arbitraries.js';
import { successorsOf } from '../../src/check/expand.js';
import type { TransitionProperty } from '../../properties/index.js';
import { setupWorld } from '../support/fixture.js';
import { choicePath, defaultRuns } from '../support/scenario-paths.js';

/** The owner map's running hash, as the pool keeps it, against the sum of its entries' shares now. */
function expectOwnerSums(pool: FramePool, what: string): void {
  let a = 0;
  let b = 0;
  for (const [pfn, owner] of pool.owner) {
    a = (a + ownerShareA(pfn, owner)) | 0;
    b = (b + ownerShareB(pfn, owner)) | 0;
  }
  expect([pool.ownerA, pool.ownerB], `${what}: the owner map's running hash`).toEqual([a, b]);
}

/**
 * Applying in place must give exactly what a full copy gives (outcome, digest, fingerprint, the
 * incremental fingerprint included), and undoing must give back exactly the world before, down to
 * its fingerprint, so that the next choice starts from the same state.
 */
function checkInPlace(start: World, events: readonly ModelEvent[]): void {
  // the checker's kind: every move undone, so bookkeeping shared with a clone is written in place.
  const j = new WorldJournal(true);
  let w = sealWorld(start);
  for (const e of events) {
    const before = digest(w);
    const base = keyBase(w);
    // a clone sharing the pool's owners and free list, as a forked ancestor's parent does: the
    // move writes them in place, and the undo must leave the clone exactly as it was.
    const sibling = cloneWorld(w);
    const siblingBefore = digest(sibling);
    const full = cloneWorld(w);
    const want = applyEvent(full, e);
    const outcome = applyInPlace(w, j, e);
    const fp = fingerprint(full);
    try {
      expect(outcome, e.type).toEqual(want);
      expect(digest(w), e.type).toBe(digest(full));
      expectOwnerSums(w.frames, `${e.type} in place`);
      expectOwnerSums(full.frames, `${e.type} on a copy`);
      expect(successorFingerprint(base, w, j), `${e.type}: the incremental fingerprint`).toEqual(fp);
      // a journal that says nothing changed must be right: the checker then reuses the parent's key.
      if (j.unchanged()) expect(fp, `${e.type} changed the state but the journal says not`).toEqual(base.key);
    } finally {
      // a failed expectation leaves no journal open for the next run.
      j.undo();
    }
    expect(digest(w), `${e.type} was not undone`).toBe(before);
    expect(digest(sibling), `${e.type} left a clone sharing the bookkeeping changed`).toBe(siblingBefore);
    expectOwnerSums(w.frames, `${e.type} undone`);
    expectOwnerSums(sibling.frames, `${e.type}: the clone`);
    expect([...sibling.frames.free], `${e.type}: the shared free list's order`).toEqual([...w.frames.free]);
    expect(fingerprint(w), `${e.type}: the fingerprint after undo`).toEqual(base.key);
    // the next state on the path: a fresh sealed copy, as the explorer's ancestors are.
    w = sealWorld(full);
  }
}

/** rpcit-shadow(2,2,1)'s setup world, sealed as the explorer's states are, and its choices. */
function sealedShadowState(): { w: World; choices: ModelEvent[] } {
  const p = { G: 2, I: 2, L: 1 };
  const { world, ctx } = buildSetup(rpcitShadow, p);
  const w = sealWorld(world);
  return { w, choices: rpcitShadow.choices(w, p, ctx) };
}

describe('worlds changed in place and undone', () => {
  it.prop([fc.array(anyEvent, { maxLength: 30 })], { numRuns: 120 })('should equal a full copy on arbitrary events and undo to the world before', (events) => {
    checkInPlace(setupWorld(64), events);
  });

  const scenarios = defaultRuns();

  it.prop([fc.nat({ max: scenarios.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 150 })(
    'should equal a full copy along random paths of every built-in scenario',
    (which, picks) => {
      const run = scenarios[which];
      checkInPlace(cloneWorld(run.setup.world), choicePath(run, picks));
    },
  );

  it.prop([fc.nat({ max: scenarios.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 60 })(
    'should fingerprint a world whose moves are kept (replay) as a fresh copy of it, whatever hashes were cached before',
    (which, picks) => {
      const run = scenarios[which];
      const w = sealWorld(cloneWorld(run.setup.world));
      const j = new WorldJournal();
      for (const e of choicePath(run, picks)) {
        // hashes cached for the maps and records the move may write in place, as an expansion caches them.
        keyBase(w);
        applyInPlace(w, j, e);
        j.commit();
        // a deep copy holds no sealed data, so nothing cached can stand in for its content.
        expect(fingerprint(w), `${e.type}: kept`).toEqual(fingerprint(cloneWorld(w)));
      }
    },
  );

  it.prop([fc.nat({ max: scenarios.length - 1 }), fc.array(fc.nat(), { minLength: 2, maxLength: 12 }), fc.nat()], { numRuns: 150 })(
    'should apply moves on top of a held move as on a copy of it, and undo both to the world before, along random paths of every built-in scenario',
    (which, picks, pick) => {
      const run = scenarios[which];
      const path = choicePath(run, picks);
      let w = sealWorld(cloneWorld(run.setup.world));
      const outer = new WorldJournal(true);
      const inner = new WorldJournal(true);
      for (const step of path) {
        // the path's move and two siblings, held in turn on the same world, as the checker holds a
        // parent's children: a hash kept for what one wrote must not stand for another's.
        const siblings = run.s.choices(w, run.params, run.setup.ctx).slice(0, 2);
        for (const e of [step, ...siblings]) {
          const before = digest(w);
          const key = fingerprint(w);
          const held = cloneWorld(w);
          applyEvent(held, e);
          applyInPlace(w, outer, e);
          outer.hold();
          try {
            // every value the held move wrote is sealed: a move on top can change it only through its journal.
            expect(digest(w), `${e.type} held`).toBe(digest(held));
            const base = keyBase(w);
            expect(base.key, `${e.type} held: the key`).toEqual(fingerprint(held));
            const choices = run.s.choices(w, run.params, run.setup.ctx);
            for (const top of choices.length > 0 ? [choices[pick % choices.length], ...choices.slice(0, 3)] : []) {
              const full = cloneWorld(held);
              const want = applyEvent(full, top);
              const got = applyInPlace(w, inner, top);
              try {
                expect(got, `${top.type} on ${e.type}`).toEqual(want);
                expect(digest(w), `${top.type} on ${e.type}`).toBe(digest(full));
                expect(successorFingerprint(base, w, inner), `${top.type} on ${e.type}: the incremental fingerprint`).toEqual(fingerprint(full));
              } finally {
                inner.undo();
              }
              expect(digest(w), `${top.type} on ${e.type} was not undone`).toBe(digest(held));
              expect(fingerprint(w), `${top.type} on ${e.type}: the key after undo`).toEqual(base.key);
            }
          } finally {
            outer.undo();
          }
          expect(digest(w), `${e.type} was not undone`).toBe(before);
          expect(fingerprint(w), `${e.type}: the key after undo`).toEqual(key);
        }
        // the next state on the path: a fresh sealed copy, as the explorer's ancestors are.
        w = cloneWorld(w);
        applyEvent(w, step);
        sealWorld(w);
      }
    },
  );

  it('should seal what a held move wrote, and refuse to keep it or to fork while it is held', () => {
    const { w: start, choices } = sealedShadowState();
    // a valid guest entry, so the refresh pins its page and charges the process.
    const w = cloneWorld(start);
    applyEvent(w, pteWrite(0, dataGpa(0)));
    sealWorld(w);
    const j = new WorldJournal(true);
    const rpcit = choices.find((e) => e.type === 'guest.s390.rpcit' && e.iova === iova(0))!;
    const was = w.mms.get('qemu')!;
    applyInPlace(w, j, rpcit);
    j.hold();
    try {
      // the process record the refresh charged is a copy it put into the sealed map, sealed now.
      expect(w.mms.get('qemu')).not.toBe(was);
      expect(w.mms.get('qemu')!.lockedVm).toBe(was.lockedVm + 1);
      expect(Object.isFrozen(w.mms.get('qemu'))).toBe(true);
      expect(() => j.commit()).toThrow('never kept');
      expect(() => applyForked(w, rpcit)).toThrow('forked');
    } finally {
      j.undo();
    }
    expect(() => applyForked(w, rpcit)).not.toThrow();
  });

  it('should hash a nested map written in place afresh, and as it was once undone', () => {
    const { w, choices } = sealedShadowState();
    const migrate = choices.find((e) => e.type === 'host.mm.migrate')!;
    const base = keyBase(w);
    const full = cloneWorld(w);
    applyEvent(full, migrate);
    const j = new WorldJournal();
    applyInPlace(w, j, migrate);
    try {
      // the process's page map (inside its record) was written where it is; its hash was cached by keyBase.
      expect(j.writtenInPlace('mms')).toBe(true);
      expect(fingerprint(w)).toEqual(fingerprint(full));
      expect(fingerprint(w)).not.toEqual(base.key);
    } finally {
      j.undo();
    }
    expect(fingerprint(w)).toEqual(base.key);
  });

  it('should apply every choice of one state to the same world, each from the state itself', () => {
    const { w, choices } = sealedShadowState();
    const j = new WorldJournal();
    const pte = () => frameForRead(w.frames, w.mms.get('qemu')!.pages.get(Number((0x3ff_0000_0000n + 0x18000n) >> 12n))!).slice(0, 16);
    const was = pte();
    for (const e of [pteWrite(0, dataGpa(1)), pteWrite(1, dataGpa(0) | 0x200n), ...choices]) {
      applyInPlace(w, j, e);
      j.undo();
      expect(pte()).toEqual(was);
    }
  });

  it('should tell a move that changed nothing from one that did', () => {
    const { w, choices } = sealedShadowState();
    const j = new WorldJournal();
    const unchanged = (x: World, e: ModelEvent) => {
      applyInPlace(x, j, e);
      const same = j.unchanged();
      j.undo();
      return same;
    };
    // the guest's entries start invalid: rewriting invalid changes nothing, a valid entry does.
    expect(unchanged(w, pteWrite(0, PTE_INVALID))).toBe(true);
    expect(unchanged(w, pteWrite(0, dataGpa(1)))).toBe(false);
    // a refresh over invalid entries changes nothing; a migration of an unpinned page does.
    expect(unchanged(w, choices.find((e) => e.type === 'guest.s390.rpcit')!)).toBe(true);
    expect(unchanged(w, choices.find((e) => e.type === 'host.mm.migrate')!)).toBe(false);
    const w2 = cloneWorld(w);
    applyEvent(w2, pteWrite(0, dataGpa(0)));
    applyEvent(w2, choices.find((e) => e.type === 'guest.s390.rpcit')!);
    // a DMA read changes nothing but counters.
    expect(unchanged(sealWorld(w2), ev('device.dma.read', { device: 'zpci0', iova: iova(0), len: 8 }))).toBe(true);
  });

  it('should leave an expanded state as it was when a property throws, and expand it again after', () => {
    const { w, choices } = sealedShadowState();
    const before = digest(w);
    // a transition property: checked on every move, new state or not.
    const boom: TransitionProperty = { name: 'boom', kind: 'transition', description: 'throws', pre: () => undefined, check: () => { throw new RangeError('planted'); } };
    // whole choices, and choices run step by step (observed at their step points).
    for (const x of [{ props: [boom], covers: [], key: fingerprint }, { props: [boom], covers: [], key: fingerprint, observe: () => [] }]) {
      expect(() => successorsOf(w, choices.filter((e) => e.type === 'guest.s390.rpcit'), x)).toThrow('planted');
      expect(digest(w)).toBe(before);
    }
    const keys = successorsOf(w, choices, { props: [], covers: [], key: fingerprint }).map((m) => m.succ.key);
    expect(keys).toHaveLength(choices.length);
    expect(digest(w)).toBe(before);
  });

  it('should leave the world as it was when the event throws', () => {
    const w = sealWorld(setupWorld(64));
    const j = new WorldJournal();
    const before = digest(w);
    const boom = (x: World) => {
      applyEvent(x, ev('host.rlimit.set', { mm: 'qemu', memlock: 8n * 4096n }));
      throw new RangeError('planted');
    };
    expect(() => applyInPlace(w, j, ev('host.rlimit.set', { mm: 'qemu', memlock: 8n * 4096n }), boom)).toThrow('planted');
    expect(digest(w)).toBe(before);
    // and the journal is free for the next event.
    applyInPlace(w, j, ev('host.rlimit.set', { mm: 'qemu', memlock: 8n * 4096n }));
    j.undo();
    expect(digest(w)).toBe(before);
  });

  it('should refuse to keep a move journalled by an undo-only journal (it wrote bookkeeping shared with a clone)', () => {
    const { w, choices } = sealedShadowState();
    const sibling = cloneWorld(w);
    const before = digest(sibling);
    const j = new WorldJournal(true);
    // a migration claims its target frame: owners and free list change, in the lists the clone shares.
    applyInPlace(w, j, choices.find((e) => e.type === 'host.mm.migrate')!);
    expect(() => j.commit()).toThrow('must undo');
    j.undo();
    expect(digest(sibling)).toBe(before);
  });

  it('should write a record\'s maps where they are when an event type only ever writes those, and copy the record once one assigns a field', () => {
    const { w } = sealedShadowState();
    const j = new WorldJournal(true);
    const qemu = w.mms.get('qemu')!;
    const page = [...qemu.pages.keys()][0];
    const frame = qemu.pages.get(page)!;
    // a footprint of its own (the type's name is the footprint): learned from these runs alone.
    const type = `test.keep.${Math.random()}`;
    const e = ev('host.rlimit.set', { mm: 'qemu', memlock: 0n });
    const writeMap = (x: World) => {
      x.mms.get('qemu')!.pages.set(page, frame + 1);
      return { code: 'OK' };
    };
    const assign = (x: World) => {
      const mm = x.mms.get('qemu')!;
      mm.pages.set(page, frame + 2);
      mm.lockedVm += 1;
      return { code: 'OK' };
    };
    const check = (run: (x: World) => { code: string }, copied: boolean) => {
      const full = cloneWorld(w);
      run(full);
      const before = digest(w);
      applyInPlace(w, j, e, run as never, type);
      try {
        expect(digest(w)).toBe(digest(full));
        // kept: the record is the sealed one, its page map written through the journal.
        expect(w.mms.get('qemu') === qemu, copied ? 'the record should be a copy' : 'the record should be kept').toBe(!copied);
      } finally {
        j.undo();
      }
      expect(digest(w)).toBe(before);
      expect(w.mms.get('qemu')).toBe(qemu);
    };
    // in place, a sealed map takes the write where it is: nothing to learn.
    check(writeMap, false);
    // a fork copies the maps the type writes, so it learns a footprint that copies the record
    // holding them; in place the record is still kept.
    for (let k = 0; k < 2; k++) {
      const { world } = applyForked(w, e, writeMap as never, type);
      expect(world.mms.get('qemu')!.pages.get(page)).toBe(frame + 1);
      expect(world.mms.get('qemu')).not.toBe(qemu);
    }
    check(writeMap, false);
    // a run that assigns a field throws on the kept record, is applied again to a full copy, and
    // from then on the record is copied.
    check(assign, true);
    check(assign, true);
    // learned as a copy of the record, not given up on (every map copied for good).
    expect(footprintOf(type)).not.toBe('all');
    check(writeMap, true);
  });

  it('should tell a property that reads some owners\' frames whether one of those changed', () => {
    const { w } = sealedShadowState();
    const j = new WorldJournal(true);
    const anon = [...w.frames.owner].find(([, o]) => o.startsWith('anon:'))![0];
    const table = [...w.frames.owner].find(([, o]) => o.startsWith('iommu:'))![0];
    const e = ev('host.rlimit.set', { mm: 'qemu', memlock: 0n });
    const after = (run: (x: World) => void, owners: readonly string[]) => {
      applyInPlace(w, j, e, (x) => (run(x), { code: 'OK' }) as never, `test.owners.${Math.random()}`);
      try {
        return j.framesOwnedChanged(owners);
      } finally {
        j.undo();
      }
    };
    const store = (pfn: number) => (x: World) => {
      frameForWrite(x.frames, pfn, 0, 4)[0] ^= 1;
    };
    expect(after(store(anon), ['iommu:', 'kvm:'])).toBe(false);
    expect(after(store(anon), ['anon:'])).toBe(true);
    expect(after(store(table), ['iommu:', 'kvm:'])).toBe(true);
    expect(after(store(table), [])).toBe(false);
    // a frame nobody owns may be anybody's.
    expect(after(store(0x3f000), ['iommu:'])).toBe(true);
    // an allocation changes whose frames are whose, whatever it writes.
    expect(after((x) => void allocFrame(x.frames, 'anon:qemu'), [])).toBe(true);
    expect(after(() => undefined, ['anon:'])).toBe(false);
  });
});
