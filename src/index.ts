/**
 * The library API of vfio-kvm-model: build worlds and apply events, replay logs, check properties,
 * explore scenarios, and define design variants by overriding named handler points.
 *
 * @example
 * import { registerVariant, runCheck } from 'vfio-kvm-model';
 * registerVariant({ name: 'mine', description: '...', points: { kvmShadowCharges: false } });
 * runCheck({ scenario: 'rpcit-shadow', params: {}, variant: 'mine' }).verdict; // 'violation'
 */
export { ev, EVENT_TYPES, type ModelEvent, type EventOf, type LogEntry } from './events/types.js';
export { EVENT_SCHEMA } from './events/schema.js';
export { eventToLine } from './events/serialize.js';
export { emptyWorld, cloneWorld, type World } from './model/world.js';
export { applyEvent, reduce } from './model/reduce.js';
export { digest } from './model/digest.js';
export { OUTCOME_CODES } from './model/codes.js';
export type { Outcome } from './model/outcome.js';
export { registerVariant, variantNames, variantNamed, type HandlerPoints, type VariantSpec } from './model/variant.js';
export type { ZpciDesign } from './s390/design.js';
export { DESIGNS } from './s390/designs.js';
export { readLog } from './log/read-log.js';
export { replay } from './log/replay.js';
export { explore, type ExploreOptions, type ExploreResult } from './check/explore.js';
export { runCheck, runCheckParallel, counterexampleLines, type RunRecord, type RunSpec } from './check/run.js';
export { SCENARIOS, scenarioNamed } from './check/scenarios/index.js';
export { FAULTS } from './check/faults.js';
export type { Scenario, Cover, Params } from './check/scenario.js';
export { PROPERTIES, checkProperties, propertyNamed } from '../properties/index.js';
