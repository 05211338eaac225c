/**
 * Forking a world for one event without copying what the event leaves alone. A sealed world's
 * record maps are frozen (assignments throw, and so do the mutating methods of its maps and
 * sets), so a fork can share them with its parent; what an event type is known to change is
 * copied up front, as deep as its footprint says (kernel/footprint.ts). An event that touches
 * shared data throws before it can change anything shared, and is applied again to a full copy,
 * which also teaches the footprint what that type changes. The answer is always that of
 * `cloneWorld` plus `applyEvent`: only the copying differs.
 *
 * Why: a checker state's successors differ from it in one or two maps, and copying (and hashing)
 * the whole world for each of them was most of the cost of a transition.
 */
import type { ModelEvent } from '../events/types.js';
import { applyEvent } from './reduce.js';
import { forgetMachineSteps, machineStepsMark } from '../ops/machines.js';
import { sealedOpen } from './seal.js';
import type { Outcome } from '../model/outcome.js';
import { cloneWorld, copyStats, worldOf, type World } from '../model/world.js';
import { copyFootprint, footprintOf, learnFootprint, mapsAndSets, type Footprint } from './footprint.js';
import { clonePool } from '../memory/frames.js';

/** A copy of a sealed world sharing every record map except `copied`. */
function fork(parent: World, copied: Footprint): World {
  // the parent's fields into worldOf's literal (a spread cost 3x as much): one shape for every world.
  const p = parent;
  const child = worldOf({
    arch: p.arch, kernel: p.kernel, pageLimit: p.pageLimit, design: p.design, frames: clonePool(p.frames), pins: p.pins, mms: p.mms, vms: p.vms,
    containers: p.containers, groups: p.groups, devices: p.devices, devfds: p.devfds, kvmdevs: p.kvmdevs,
    domains: p.domains, nextDomain: p.nextDomain, tceTables: p.tceTables, zpci: p.zpci, qemuDmaLimits: p.qemuDmaLimits,
    kvmAssociation: p.kvmAssociation, dmaEntryLimit: p.dmaEntryLimit, stats: copyStats(p.stats),
  });
  copyFootprint(child, copied);
  return child;
}

/**
 * Applies `e` to a copy of the sealed `parent`; the same result as cloneWorld + applyEvent. `run`
 * applies it another way (step by step, with an actor's event inside); it may run twice, so it
 * must start afresh each time. `footprint` names what is applied when that is more than the event
 * type (an actor's event inside changes other maps).
 */
export function applyForked(parent: World, e: ModelEvent, run: (w: World, e: ModelEvent) => Outcome = applyEvent, footprint: string = e.type): { world: World; outcome: Outcome } {
  if (sealedOpen()) throw new Error('a world cannot be forked while another is applied in place: it would write maps they share');
  const known = footprintOf(footprint);
  let refused: TypeError | undefined;
  if (known !== 'all') {
    const world = fork(parent, known);
    const mark = machineStepsMark();
    try {
      return { world, outcome: run(world, e) };
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      forgetMachineSteps(mark);
      // a frozen object refused a write before anything shared changed; the attempt is discarded.
      refused = err;
    }
  }
  const world = cloneWorld(parent);
  // a type that could not be learned is applied to a full copy every time: nothing to note then.
  const copied = known === 'all' ? undefined : mapsAndSets(world);
  const outcome = run(world, e);
  if (copied) learnFootprint(footprint, parent, world, copied, refused);
  return { world, outcome };
}

