/** Applies an event the way replay and the checker do: note, apply, then check every property with the step. */
import { checkProperties, notePre, PROPERTIES, type Property, type Violation } from '../../properties/index.js';
import type { ModelEvent } from '../../src/events/types.js';
import type { Outcome } from '../../src/model/outcome.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import type { World } from '../../src/model/world.js';

export function applyChecked(w: World, event: ModelEvent, props: readonly Property[] = PROPERTIES): { outcome: Outcome; violations: Violation[] } {
  const pre = notePre(w, props);
  const outcome = applyEvent(w, event);
  return { outcome, violations: checkProperties(w, props, { event, outcome, pre }) };
}
