/**
 * The scenario registry: the built-in scenarios, and those a user module registers, by name. A
 * scenario is refused at registration with the valid names listed when it names an unknown
 * design or property, repeats a name, or has parameters its own bounds reject.
 */
import { currentOrigin, type ModuleOrigin } from '../../ops/origin.js';
import { DesignError, designNames, designNamed } from '../../ops/registry.js';
import { propertyNamed, propertyNames } from '../../../properties/index.js';
import type { Scenario, Verdict } from '../scenario.js';
import '../../designs/index.js';
import { kvmDomainLent } from './kvm-domain-lent.js';
import { liobnBinding } from './liobn-binding.js';
import { rpcitShadow } from './rpcit-shadow.js';
import { rpcitUserspace } from './rpcit-userspace.js';
import { type1Unmap } from './type1-unmap.js';
import { zpciTeardown } from './zpci-teardown.js';
import { stage2Shared } from './stage2-shared.js';
import { svaPri } from './sva-pri.js';
import { type1Lifecycle } from './type1-lifecycle.js';
import { svaLifecycle } from './sva-lifecycle.js';
import { stage2Lifecycle } from './stage2-lifecycle.js';
import { spaprLifecycle } from './spapr-lifecycle.js';
import { rpcitRanges } from './rpcit-ranges.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyScenario = Scenario<any>;
const LIST: AnyScenario[] = [];
const ORIGINS = new Map<string, ModuleOrigin>();

/** Every registered scenario, built-in ones first (a live list). */
export const SCENARIOS: readonly AnyScenario[] = LIST;

export function scenarioNamed(name: string): AnyScenario | undefined {
  return LIST.find((s) => s.name === name);
}

export function scenarioNames(): string[] {
  return LIST.map((s) => s.name);
}

/** The user module that registered a scenario, if one did. */
export function scenarioOrigin(name: string): ModuleOrigin | undefined {
  return ORIGINS.get(name);
}

/** Throws a DesignError naming the scenario and what is wrong with it. */
function validate(s: AnyScenario): void {
  const bad = (why: string) => new DesignError(`scenario "${s?.name}": ${why}`);
  if (typeof s?.name !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(s.name)) throw bad('the name must be lower-case kebab-case (a-z, 0-9, -)');
  if (scenarioNamed(s.name)) throw bad('is already registered');
  if (typeof s.description !== 'string' || s.description === '') throw bad('needs a description');
  if (!designNamed(s.design)) throw bad(`unknown design "${s.design}" (designs: ${designNames().join(', ')})`);
  for (const fn of ['setup', 'choices'] as const) if (typeof s[fn] !== 'function') throw bad(`${fn} must be a function`);
  for (const [k, spec] of Object.entries(s.params ?? {})) {
    const ok = [spec.min, spec.max, spec.default].every(Number.isInteger) && spec.min <= spec.default && spec.default <= spec.max;
    if (!ok) throw bad(`parameter ${k} needs integers min <= default <= max`);
  }
  if (!Array.isArray(s.properties) || s.properties.length === 0) throw bad('must check at least one property');
  for (const p of s.properties) if (!propertyNamed(p)) throw bad(`unknown property "${p}" (properties: ${propertyNames().join(', ')})`);
  const covers = new Set<string>();
  for (const c of s.covers ?? []) {
    if (covers.has(c.name)) throw bad(`cover ${c.name} is listed twice`);
    if (typeof c.hit !== 'function') throw bad(`cover ${c.name} needs a hit function`);
    covers.add(c.name);
  }
  if (s.expect?.verdict === 'violation' && !s.properties.includes(s.expect.property)) throw bad(`expects a violation of ${s.expect.property}, which it does not check`);
  if (s.expect?.verdict !== 'pass' && s.expect?.verdict !== 'violation') throw bad('expect must be {verdict: "pass"} or {verdict: "violation", property}');
}

/**
 * Registers a scenario (library API, and what a user module passed to --load calls). The
 * properties and the design it names must be registered first.
 */
export function registerScenario<Ctx>(s: Scenario<Ctx>): Scenario<Ctx> {
  validate(s as AnyScenario);
  LIST.push(s as AnyScenario);
  const origin = currentOrigin();
  if (origin) ORIGINS.set(s.name, origin);
  return s;
}

for (const s of [rpcitShadow, rpcitUserspace, type1Unmap, zpciTeardown, kvmDomainLent, liobnBinding, stage2Shared, svaPri, type1Lifecycle, svaLifecycle, stage2Lifecycle, spaprLifecycle, rpcitRanges]) registerScenario(s);

/** One default run: a scenario, its parameters, and for a design variant the verdict that design must reach. */
export interface DefaultRun {
  readonly scenario: string;
  readonly params: Record<string, number>;
  readonly variant?: string;
  readonly expect?: Verdict;
}

/** What `vkm check` runs with no arguments: every scenario, with each association model or design where it matters. */
export const DEFAULT_RUNS: readonly DefaultRun[] = [
  { scenario: 'rpcit-shadow', params: {} },
  { scenario: 'rpcit-userspace', params: { G: 1 } },
  { scenario: 'rpcit-ranges', params: { U: 0 } },
  { scenario: 'rpcit-ranges', params: { U: 1 }, variant: 's390-userspace' },
  { scenario: 'type1-unmap', params: {} },
  { scenario: 'type1-lifecycle', params: {} },
  { scenario: 'zpci-teardown', params: { A: 0 } },
  { scenario: 'zpci-teardown', params: { A: 1 } },
  { scenario: 'zpci-teardown', params: { U: 1 }, variant: 's390-userspace' },
  { scenario: 'kvm-domain-lent', params: {} },
  // the flag design lends a domain userspace has mapped: KVM then owns a domain holding userspace mappings.
  { scenario: 'kvm-domain-lent', params: { F: 1 }, variant: 'kvm-domain-lent-flag', expect: { verdict: 'violation', property: 'kvm-domain-exclusive' } },
  { scenario: 'liobn-binding', params: {}, variant: 'liobn-to-container' },
  // the LIOBN-to-group design is expected to fail: the checker shows how.
  { scenario: 'liobn-binding', params: {}, variant: 'liobn-to-group', expect: { verdict: 'violation', property: 'container-coherence' } },
  { scenario: 'spapr-lifecycle', params: { T: 0 } },
  { scenario: 'spapr-lifecycle', params: { T: 1 } },
  { scenario: 'spapr-lifecycle', params: { T: 2 } },
  { scenario: 'stage2-shared', params: { S: 1 } },
  // the alternative that keeps dirty logging: the table's D bits, harvested with an IOTLB flush.
  { scenario: 'stage2-shared', params: { S: 1 }, variant: 'stage2-shared-dirty-bits' },
  { scenario: 'stage2-shared', params: { S: 0 } },
  { scenario: 'stage2-lifecycle', params: { T: 0 } },
  { scenario: 'stage2-lifecycle', params: { T: 1 } },
  { scenario: 'sva-pri', params: {} },
  { scenario: 'sva-lifecycle', params: {} },
];

/** The verdict a design variant is known to reach on a scenario, when it is one of the default runs. */
export function designExpectation(scenario: string, variant: string | undefined): Verdict | undefined {
  return DEFAULT_RUNS.find((r) => r.scenario === scenario && r.variant === variant)?.expect;
}
