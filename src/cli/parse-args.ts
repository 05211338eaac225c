/** Pure argv parsing against the option table. */
import { UsageError } from '../errors.js';
import { COMMANDS, type CommandSpec } from './options.js';

export interface ParsedArgs {
  readonly command: CommandSpec;
  readonly positionals: string[];
  /** Each option's value (the last one given). */
  readonly options: Record<string, string | true>;
  /** Every value of a repeatable option, in order (--load a --load b). */
  readonly lists: Record<string, string[]>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === (name ?? 'help'));
  if (!command) throw new UsageError(`unknown command "${name}"; try "vkm help"`);
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  const lists: Record<string, string[]> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const spec = command.options.find((o) => o.name === key);
    if (!spec) throw new UsageError(`unknown option --${key} for "vkm ${command.name}"`);
    if (spec.takes) {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new UsageError(`--${key} needs ${spec.takes}`);
      if (!spec.repeatable && options[key] !== undefined) throw new UsageError(`--${key} given twice`);
      options[key] = value;
      if (spec.repeatable) (lists[key] ??= []).push(value);
    } else {
      if (inline !== undefined) throw new UsageError(`--${key} takes no value`);
      options[key] = true;
    }
  }
  const n = command.positionals;
  if (command.name !== 'help' && (n < 0 ? positionals.length === 0 : positionals.length !== n)) {
    throw new UsageError(`usage: ${command.usage}`);
  }
  return { command, positionals, options, lists };
}
