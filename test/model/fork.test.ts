import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ev, type ModelEvent } from '../../src/events/types.js';
import { fingerprint } from '../../src/check/fingerprint.js';
import { buildSetup } from '../../src/check/explore.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';
import { dataGpa, iova, PTE_INVALID, pteWrite } from '../../src/check/scenarios/s390-guest.js';
import { digest } from '../../src/model/digest.js';
import { applyForked, forkUnchanged, sealWorld } from '../../src/kernel/fork.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { cloneWorld, emptyWorld, type World } from '../../src/model/world.js';
import { WorldView } from '../../properties/view.js';
import { anyEvent } from '../support/arbitraries.js';
import { setupEvents, setupWorld } from '../support/fixture.js';
import { choicePath, defaultRuns } from '../support/scenario-paths.js';

/**
 * Forking must give exactly what a full copy gives, leave the parent as it was, and fingerprint
 * and scan like a world that was never copied at all (whose pages were never hashed or scanned
 * from a source page).
 */
function checkForks(start: () => World, events: readonly ModelEvent[], prefix: readonly ModelEvent[]): void {
  let w = start();
  const replayed = emptyWorld();
  for (const e of prefix) applyEvent(replayed, e);
  for (const e of events) {
    sealWorld(w);
    const before = digest(w);
    const full = cloneWorld(w);
    const want = applyEvent(full, e);
    const { world, outcome } = applyForked(w, e);
    expect(outcome, e.type).toEqual(want);
    expect(digest(w), `${e.type} changed the sealed parent`).toBe(before);
    expect(digest(world), e.type).toBe(digest(full));
    // a fork that says it still equals its parent must: the checker reuses the parent's key.
    if (forkUnchanged(w, world)) expect(digest(world), `${e.type} changed the state but the fork says not`).toBe(before);
    applyEvent(replayed, e);
    expect(fingerprint(world), e.type).toEqual(fingerprint(replayed));
    // table scans of copied frames are derived from their source's scan too.
    const leaves = (x: World) => new WorldView(x).domainLeaves().map((d) => [d.domain.id, d.leaves]);
    expect(leaves(world), e.type).toEqual(leaves(replayed));
    w = world;
  }
}

describe('forked worlds', () => {
  it.prop([fc.array(anyEvent, { maxLength: 30 })], { numRuns: 120 })('should equal a full copy on arbitrary events and never touch the parent', (events) => {
    checkForks(() => setupWorld(64), events, setupEvents(64));
  });

  const scenarios = defaultRuns();

  it.prop([fc.nat({ max: scenarios.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 25 })], { numRuns: 150 })(
    'should equal a full copy along random paths of every built-in scenario',
    (which, picks) => {
      const run = scenarios[which];
      // the path is chosen on a scratch world, then checked event by event.
      checkForks(() => cloneWorld(run.setup.world), choicePath(run, picks), run.setup.events);
    },
  );

  it('should tell a fork that changed nothing from one that did', () => {
    const p = { G: 2, I: 2, L: 1 };
    const { world, ctx } = buildSetup(rpcitShadow, p);
    const w = sealWorld(world);
    const choices = rpcitShadow.choices(w, p, ctx);
    const unchanged = (e: ModelEvent) => forkUnchanged(w, applyForked(w, e).world);
    // the guest's entries start invalid: rewriting invalid changes nothing, a valid entry does.
    expect(unchanged(pteWrite(0, PTE_INVALID))).toBe(true);
    expect(unchanged(pteWrite(0, dataGpa(1)))).toBe(false);
    // a refresh over invalid entries changes nothing; a migration of an unpinned page does.
    expect(unchanged(choices.find((e) => e.type === 'guest.s390.rpcit')!)).toBe(true);
    expect(unchanged(choices.find((e) => e.type === 'host.mm.migrate')!)).toBe(false);
    const w2 = sealWorld(applyForked(applyForked(w, pteWrite(0, dataGpa(0))).world, choices.find((e) => e.type === 'guest.s390.rpcit')!).world);
    // a DMA read changes nothing but counters.
    expect(forkUnchanged(w2, applyForked(w2, ev('device.dma.read', { device: 'zpci0', iova: iova(0), len: 8 })).world)).toBe(true);
  });

  it('should refuse every kind of write to a sealed world', () => {
    const w = sealWorld(setupWorld(64));
    const g = w.groups.get('g7')!;
    expect(() => w.groups.set('g8', g)).toThrow(TypeError);
    expect(() => w.groups.delete('g7')).toThrow(TypeError);
    expect(() => {
      g.lc = 'closed';
    }).toThrow(TypeError);
    expect(() => g.devices.push('x')).toThrow(TypeError);
    expect(() => w.mms.get('qemu')!.pages.set(1, 2)).toThrow(TypeError);
    expect(() => w.pins.clear()).toThrow(TypeError);
    expect(g.lc).not.toBe('closed');
  });

  it('should share the maps an event leaves alone and copy the ones it changes', () => {
    const w = sealWorld(setupWorld(64));
    const e = ev('host.rlimit.set', { mm: 'qemu', memlock: 8n * 4096n });
    applyForked(w, e); // learns the footprint
    const { world, outcome } = applyForked(w, e);
    expect(outcome.code).toBe('OK');
    expect(world.mms).not.toBe(w.mms);
    expect(world.mms.get('qemu')!.memlockPages).toBe(8);
    expect(w.mms.get('qemu')!.memlockPages).not.toBe(8);
    expect(world.groups).toBe(w.groups);
    expect(world.vms).toBe(w.vms);
    expect(world.frames.owner).toBe(w.frames.owner);
  });
});
