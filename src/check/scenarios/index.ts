/** The built-in scenarios, by name, each with the parameters `vkm check` uses by default. */
import type { Scenario, Verdict } from '../scenario.js';
import { kvmDomainLent } from './kvm-domain-lent.js';
import { liobnBinding } from './liobn-binding.js';
import { rpcitShadow } from './rpcit-shadow.js';
import { rpcitUserspace } from './rpcit-userspace.js';
import { type1Unmap } from './type1-unmap.js';
import { zpciTeardown } from './zpci-teardown.js';
import { stage2Shared } from './stage2-shared.js';
import { svaPri } from './sva-pri.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SCENARIOS: readonly Scenario<any>[] = [rpcitShadow, rpcitUserspace, type1Unmap, zpciTeardown, kvmDomainLent, liobnBinding, stage2Shared, svaPri];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function scenarioNamed(name: string): Scenario<any> | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

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
  { scenario: 'type1-unmap', params: {} },
  { scenario: 'zpci-teardown', params: { A: 0 } },
  { scenario: 'zpci-teardown', params: { A: 1 } },
  { scenario: 'kvm-domain-lent', params: {} },
  { scenario: 'liobn-binding', params: {}, variant: 'liobn-to-container' },
  // the LIOBN-to-group design is expected to fail: the checker shows how.
  { scenario: 'liobn-binding', params: {}, variant: 'liobn-to-group', expect: { verdict: 'violation', property: 'container-coherence' } },
  { scenario: 'stage2-shared', params: { S: 1 } },
  // the alternative that keeps dirty logging: the table's D bits, harvested with an IOTLB flush.
  { scenario: 'stage2-shared', params: { S: 1 }, variant: 'stage2-shared-dirty-bits' },
  { scenario: 'stage2-shared', params: { S: 0 } },
  { scenario: 'sva-pri', params: {} },
];

/** The verdict a design variant is known to reach on a scenario, when it is one of the default runs. */
export function designExpectation(scenario: string, variant: string | undefined): Verdict | undefined {
  return DEFAULT_RUNS.find((r) => r.scenario === scenario && r.variant === variant)?.expect;
}
