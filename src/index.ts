/**
 * The library API of vfio-kvm-model: build worlds and apply events, replay logs, check properties,
 * explore scenarios; define designs by replacing ops of the kernel's ops tables; register your
 * own faults, scenarios and properties (a module passed to `vkm ... --load` does exactly this).
 *
 * @example
 * import { registerDesign, runCheck } from 'vfio-kvm-model';
 * registerDesign({
 *   name: 'no-charge',
 *   base: 's390-kvm-shadow',
 *   description: 'KVM pins guest pages without charging locked_vm',
 *   ops: { kvm: { account_pinned: () => () => undefined } },
 * });
 * runCheck({ scenario: 'rpcit-shadow', params: {}, variant: 'no-charge' }).verdict; // 'violation'
 */
export { ev, EVENT_TYPES, type ModelEvent, type EventOf, type EventType, type LogEntry } from './events/types.js';
export { EVENT_SCHEMA } from './events/schema.js';
export { eventToLine } from './events/serialize.js';
export { emptyWorld, cloneWorld, type World } from './model/world.js';
export type * from './model/world.js';
export { applyEvent, reduce, DISPATCH } from './kernel/reduce.js';
export { digest } from './model/digest.js';
export { readLog } from './log/read-log.js';
export { replay } from './log/replay.js';
export { explore, type ExploreOptions, type ExploreResult } from './check/explore.js';
export { runCheck, runCheckParallel, counterexampleLines, type RunRecord, type RunSpec } from './check/run.js';
export { SCENARIOS, scenarioNamed, scenarioNames, registerScenario, DEFAULT_RUNS } from './check/scenarios/index.js';
export { FAULTS, registerFault, faultNamed, type Fault, type FaultSpec } from './check/faults.js';
export { diffDesigns, type Difference, type DiffResult } from './check/diff.js';
export type { Scenario, Cover, Params, ParamSpec, SetupApply, Verdict } from './check/scenario.js';
export { PROPERTIES, checkProperties, propertyNamed, propertyNames, registerProperty, WorldView } from '../properties/index.js';
export type { Invariant, Property, Step, TransitionProperty, Violation } from '../properties/index.js';
export { DesignError, InputError, UsageError } from './errors.js';
export * from './toolkit.js';
