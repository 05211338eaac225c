/**
 * `vkm paths` for the card's lifecycles, replayed through the model: every path's events are
 * driven as model calls (test/support/machine-drivers.ts), each call's outcome is the one the
 * machine predicts (the refusal code, or success), and the object ends in the state the path
 * names. What the model cannot drive is listed exactly, with why, so a change either way shows.
 */
import { describe, expect, it } from 'vitest';
import '../../src/designs/index.js';
import { compileMachine } from '../../machines/compile.js';
import { machinePaths } from '../../machines/paths.js';
import { SUCCESS_CODES } from '../../src/model/codes.js';
import { designMachine } from '../../src/ops/machines.js';
import { associationDriver, domainOwnerDriver, liobnDriver, pagePinDriver, type Driver } from '../support/machine-drivers.js';

interface Case {
  readonly name: string;
  readonly design: string;
  readonly driver: Driver;
  /** How many paths (state and transition) replay through the model. */
  readonly driven: number;
  /** Why the others cannot be driven: each reason once. */
  readonly undriven: readonly string[];
  /** States no path through the model reaches: those only a faulty design, or a design no one registered, gets to. */
  readonly statesNotDriven: readonly string[];
}

const CASES: Case[] = [
  { name: 'liobn (liobn-to-container)', design: 'liobn-to-container', driver: liobnDriver('liobn-to-container'), driven: 18, undriven: [], statesNotDriven: [] },
  { name: 'liobn (liobn-to-group)', design: 'liobn-to-group', driver: liobnDriver('liobn-to-group'), driven: 18, undriven: [], statesNotDriven: [] },
  { name: 'page-pin', design: 'reference', driver: pagePinDriver(), driven: 12, undriven: ['an unpin with no pin: only a faulty design does it (pin-balance reports the state)', 'at pin count 0 the reducer never names PIN_MORE', 'at pin count 0 the reducer never names UNPIN_LAST', 'at pin count 0 the reducer never names UNPIN_OTHER', 'at pin count 0 the reducer never names UNPIN_TO_ONE', 'at pin count 1 the reducer never names PIN_FIRST', 'at pin count 1 the reducer never names UNPIN_OTHER', 'at pin count 1 the reducer never names UNPIN_TO_ONE', 'at pin count 1 the reducer never names UNPIN_UNDERFLOW', 'at pin count 2 the reducer never names PIN_FIRST', 'at pin count 2 the reducer never names UNPIN_LAST', 'at pin count 2 the reducer never names UNPIN_UNDERFLOW', 'the mmu notifier runs inside a migration, not as a call of its own', 'the model has no host reclaim yet'], statesNotDriven: ['underflow'] },
  { name: 'domain-owner (kvm-owned-domain)', design: 'kvm-owned-domain', driver: domainOwnerDriver('kvm-owned-domain'), driven: 21, undriven: ["KVM maps through its RPCIT shadow, which the kvm-domain-lent scenario builds; this driver does not", "default domains are the iommu-domain machine's, not domain objects", "no domain yet: closing the container frees none", "no domain yet: the container has no IOMMU driver", "KVM lends the domain when a zPCI function registers its IOAT, which this driver does not build (kvm-domain-lent F=1 does)"], statesNotDriven: ['dma-api'] },
  { name: 'domain-owner (kvm-domain-lent-flag)', design: 'kvm-domain-lent-flag', driver: domainOwnerDriver('kvm-domain-lent-flag'), driven: 21, undriven: ["KVM maps through its RPCIT shadow, which the kvm-domain-lent scenario builds; this driver does not", "default domains are the iommu-domain machine's, not domain objects", "no domain yet: closing the container frees none", "no domain yet: the container has no IOMMU driver", "KVM lends the domain when a zPCI function registers its IOAT, which this driver does not build (kvm-domain-lent F=1 does)"], statesNotDriven: ['dma-api', 'lent'] },
  { name: 'kvm-association', design: 'reference', driver: associationDriver('open'), driven: 11, undriven: ['FILE_ADD is the only SET_KVM, and the group is added already', 'FILE_DEL is the only SET_KVM NULL, and the group is not added', 'a VM outlives every association the reference keeps (only a faulty design destroys it under one)', 'the device is open: a second fd is no first open'], statesNotDriven: [] },
  { name: 'set-kvm-notifier', design: 'kvm-association-notifier', driver: associationDriver('notifier'), driven: 11, undriven: ['FILE_ADD is the only SET_KVM, and the group is added already', 'FILE_DEL is the only SET_KVM NULL, and the group is not added', 'a VM outlives every association the reference keeps (only a faulty design destroys it under one)', 'the device is open: a second fd is no first open'], statesNotDriven: ['dangling'] },
];

/** Replays one path; returns why it could not be driven, or undefined when it replayed as predicted. */
function replayPath(c: Case, events: readonly string[], target: string): string | undefined {
  const machine = designMachine(c.design, c.driver.machine);
  const table = compileMachine(machine);
  const w = c.driver.start();
  let state = table.initial;
  expect(c.driver.state(w)).toBe(state);
  for (const [i, event] of events.entries()) {
    const step = table.step(state, event);
    const d = c.driver.drive(w, event);
    if ('undriven' in d) return `${event} in ${state}: ${d.undriven}`;
    const want = step.code ?? 'success';
    const got = SUCCESS_CODES.has(d.outcome.code) ? 'success' : d.outcome.code;
    expect(got, `${c.name}: step ${i + 1} ${event} in ${state}`).toBe(want);
    state = step.target;
    expect(c.driver.state(w), `${c.name}: after step ${i + 1} ${event}`).toBe(state);
  }
  expect(`${state}`).toBe(target.replace(/ \(refused .*\)$/, '').replace(/^.* --.*--> /, ''));
  return undefined;
}

describe('machine paths replayed through the model', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: every path the model can drive gives the outcomes and states the machine predicts', (_n, c) => {
    const machine = designMachine(c.design, c.driver.machine);
    const paths = machinePaths(machine, compileMachine(machine));
    const undriven: string[] = [];
    let driven = 0;
    for (const p of paths) {
      const why = replayPath(c, p.events, p.target);
      if (why) undriven.push(`${p.kind} ${p.target}: ${why}`);
      else driven++;
    }
    const reasons = [...new Set(undriven.map((u) => u.replace(/^.*?: [A-Z_]+ in [a-z-]+: /, '')))].sort();
    expect([driven, reasons]).toEqual([c.driven, [...c.undriven].sort()]);
    // every state is reached through the model, but those no reference path can reach.
    expect(undriven.filter((u) => u.startsWith('state ')).map((u) => u.split(':')[0].slice(6)).sort()).toEqual(c.statesNotDriven);
  });
});
