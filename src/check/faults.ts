/**
 * The registry of seeded faults: each is a design (a variant that replaces a few ops), the
 * scenario it breaks and the property that must catch it. The built-in ones live in faults/, one
 * file each, written with the public API alone; `vkm mutants` checks them all, and a user module
 * registers its own the same way.
 */
import { DesignError, registerDesign, type Design, type DesignSpec } from '../ops/registry.js';
import { propertyNamed, propertyNames } from '../../properties/index.js';
import { resolveParams, type Params } from './scenario.js';
import { scenarioNamed, scenarioNames } from './scenarios/index.js';

export interface Fault {
  readonly design: Design;
  readonly scenario: string;
  readonly params?: Params;
  /** The property the fault must violate. */
  readonly property: string;
}

export interface FaultSpec extends DesignSpec {
  /** The scenario that must find it. */
  readonly scenario: string;
  readonly params?: Params;
  /** The property that must catch it. */
  readonly property: string;
}

const LIST: Fault[] = [];

/** Every registered fault, in registration order (a live list). */
export const FAULTS: readonly Fault[] = LIST;

/**
 * Registers a seeded fault: its design (as registerDesign), and what must find it. Refuses an
 * unknown scenario or property (listing the valid names) and parameters the scenario rejects.
 */
export function registerFault(spec: FaultSpec): Fault {
  const s = scenarioNamed(spec.scenario);
  if (!s) throw new DesignError(`fault "${spec.name}": unknown scenario "${spec.scenario}" (scenarios: ${scenarioNames().join(', ')})`);
  if (!propertyNamed(spec.property)) throw new DesignError(`fault "${spec.name}": unknown property "${spec.property}" (properties: ${propertyNames().join(', ')})`);
  if (!s.properties.includes(spec.property)) throw new DesignError(`fault "${spec.name}": scenario ${s.name} does not check ${spec.property} (it checks ${s.properties.join(', ')})`);
  const params = resolveParams(s, spec.params ?? {});
  if (typeof params === 'string') throw new DesignError(`fault "${spec.name}": ${params}`);
  const fault: Fault = { design: registerDesign(spec), scenario: spec.scenario, params: spec.params, property: spec.property };
  LIST.push(fault);
  return fault;
}

/** A fault by its design's name. */
export function faultNamed(name: string): Fault | undefined {
  return LIST.find((f) => f.design.name === name);
}
