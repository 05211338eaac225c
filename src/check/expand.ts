/**
 * Expanding one state: every choice applied to a copy, the properties and covers checked, the
 * successor's state key computed. Shared by the single-threaded explorer and the workers so they
 * cannot drift apart. Pure.
 */
import type { ModelEvent } from '../events/types.js';
import { applyEvent } from '../model/reduce.js';
import { SUCCESS_CODES } from '../model/codes.js';
import { cloneWorld, type World } from '../model/world.js';
import { checkProperties, notePre, type Property, type Violation } from '../../properties/index.js';
import { WorldView } from '../../properties/view.js';
import type { Cover } from './scenario.js';

export interface Successor {
  readonly world: World;
  readonly event: ModelEvent;
  readonly ok: boolean;
  readonly violations: Violation[];
  /** Indices (into the scenario's covers) this step hits. */
  readonly covers: number[];
}

export function expandChoice(world: World, event: ModelEvent, props: readonly Property[], covers: readonly Cover[]): Successor {
  const next = cloneWorld(world);
  const pre = notePre(next, props);
  const outcome = applyEvent(next, event);
  const violations = checkProperties(next, props, { event, outcome, pre });
  const view = new WorldView(next);
  const hit: number[] = [];
  covers.forEach((c, i) => {
    if (c.hit(view, { event, outcome })) hit.push(i);
  });
  return { world: next, event, ok: SUCCESS_CODES.has(outcome.code), violations, covers: hit };
}
