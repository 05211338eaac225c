/** `vkm paths --machine NAME`: shortest paths to every state and a transition-covering suite. */
import { MACHINES, TABLES, type MachineName } from '../../../machines/index.js';
import { machinePaths } from '../../../machines/paths.js';
import { compileMachine } from '../../../machines/compile.js';
import { UsageError } from '../../errors.js';
import { PATHS_SCHEMA } from '../../export/listing-json-schemas.js';
import { designMachine } from '../../ops/machines.js';
import { requireDesign } from '../../ops/registry.js';
import { didYouMean } from '../../util/suggest.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';

export function pathsCommand(opts: Record<string, string | true>, io: Io): ExitCode {
  const name = opts.machine === undefined ? '' : String(opts.machine);
  if (!(name in MACHINES)) {
    throw new UsageError(`${name ? `unknown machine "${name}"${didYouMean(name, Object.keys(MACHINES))}` : '--machine NAME is required'} (machines: ${Object.keys(MACHINES).join(', ')})`);
  }
  // the machine as the named design provides it (its guards), the reference's otherwise.
  const design = opts.variant === undefined ? undefined : requireDesign(String(opts.variant)).name;
  const machine = design ? designMachine(design, name as MachineName) : MACHINES[name as MachineName];
  const paths = machinePaths(machine, design ? compileMachine(machine) : TABLES[name as MachineName]);
  if (opts.json === true) io.out(JSON.stringify({ schema: PATHS_SCHEMA, machine: name, design: design ?? null, paths }, null, 2));
  else {
    const states = paths.filter((p) => p.kind === 'state');
    io.out(`${name}${design ? ` (${design})` : ''}: ${states.length} states, ${paths.length - states.length} transitions (refusals included)`);
    for (const p of paths) io.out(`${p.kind === 'state' ? 'state     ' : 'transition'} ${p.description}${p.kind === 'transition' ? `   [${p.events.join(', ')}]` : ''}`);
  }
  return EXIT.ok;
}
