/** The built-in scenarios, by name, each with the parameters `vkm check` uses by default. */
import type { Scenario } from '../scenario.js';
import { kvmDomainLent } from './kvm-domain-lent.js';
import { rpcitShadow } from './rpcit-shadow.js';
import { rpcitUserspace } from './rpcit-userspace.js';
import { type1Unmap } from './type1-unmap.js';
import { zpciTeardown } from './zpci-teardown.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SCENARIOS: readonly Scenario<any>[] = [rpcitShadow, rpcitUserspace, type1Unmap, zpciTeardown, kvmDomainLent];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function scenarioNamed(name: string): Scenario<any> | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** What `vkm check` runs with no arguments: every scenario, with each association model where it matters. */
export const DEFAULT_RUNS: readonly { scenario: string; params: Record<string, number> }[] = [
  { scenario: 'rpcit-shadow', params: {} },
  { scenario: 'rpcit-userspace', params: { G: 1 } },
  { scenario: 'type1-unmap', params: {} },
  { scenario: 'zpci-teardown', params: { A: 0 } },
  { scenario: 'zpci-teardown', params: { A: 1 } },
  { scenario: 'kvm-domain-lent', params: {} },
];
