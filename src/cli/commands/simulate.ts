/** `vkm simulate`: random runs of a scenario with shrinking; prints the seed and path that replay a failure. */
import { counterexampleLines } from '../../check/run.js';
import { resolveParams } from '../../check/scenario.js';
import { scenarioNamed, SCENARIOS } from '../../check/scenarios/index.js';
import { simulate } from '../../check/simulate.js';
import { UsageError } from '../../errors.js';
import { requireDesign } from '../../ops/registry.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';
import { parseParamList } from '../params.js';

export function simulateCommand(opts: Record<string, string | true>, io: Io): ExitCode {
  const name = opts.scenario === undefined ? undefined : String(opts.scenario);
  const s = name ? scenarioNamed(name) : undefined;
  if (!s) throw new UsageError(`--scenario NAME is required (scenarios: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  const params = resolveParams(s, opts.param === undefined ? {} : parseParamList(String(opts.param)));
  if (typeof params === 'string') throw new UsageError(params);
  const variant = opts.variant === undefined ? undefined : String(opts.variant);
  if (variant !== undefined) requireDesign(variant);
  const int = (k: string, d: number) => {
    if (opts[k] === undefined) return d;
    const n = Number(opts[k]);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${k} needs a non-negative integer, got "${opts[k]}"`);
    return n;
  };
  // the only randomness: a seed, chosen here in the CLI layer unless given.
  const seed = int('seed', Math.floor(io.now() * 1000) % 2 ** 31);
  const r = simulate(s, params, { seed, runs: int('runs', 100), steps: int('steps', 200), variant: variant ?? s.design, path: opts.path === undefined ? undefined : String(opts.path) });
  if (!r.failed) {
    io.out(`${s.name}: ${r.runs} random runs of up to ${int('steps', 200)} steps, no property violated (seed ${seed})`);
    return EXIT.ok;
  }
  io.out(`${s.name}: property violated after shrinking to ${r.trace!.length - r.setupLength!} steps`);
  for (const v of r.violations ?? []) io.out(`  ${v.property}: ${v.message}`);
  io.out(`replay with: vkm simulate --scenario ${s.name}${variant ? ` --variant ${variant}` : ''} --seed ${seed} --path ${r.path}`);
  if (opts.out !== undefined && r.trace) {
    const file = `${String(opts.out)}/${s.name}.simulate.jsonl`;
    io.writeFile(file, counterexampleLines(r.trace).join('\n') + '\n');
    io.out(`minimal log: ${file}`);
  }
  return EXIT.violation;
}
