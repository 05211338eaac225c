/** Pure argv parsing against the option table. */
import { UsageError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { COMMANDS, type CommandSpec, type OptionSpec } from './options.js';

export interface ParsedArgs {
  readonly command: CommandSpec;
  readonly positionals: string[];
  /** Each option's value (the last one given). */
  readonly options: Record<string, string | true>;
  /** Every value of a repeatable option, in order (--load a --load b). */
  readonly lists: Record<string, string[]>;
}

const commandNamed = (name: string) => COMMANDS.find((c) => c.name === name);

/** The command a mistyped name was meant to be, as a usage error. */
function unknownCommand(name: string): UsageError {
  const near = closest(name, COMMANDS.map((c) => c.name));
  return new UsageError(`unknown command "${name}"; ${near ? `did you mean "${near}"?` : 'try "vkm help"'}`);
}

/** Option values that must be whole numbers (counts, MiB) or non-negative numbers (seconds). */
function checkValue(spec: OptionSpec, value: string): void {
  if ((spec.takes === 'N' || spec.takes === 'MiB') && !/^\d+$/.test(value)) throw new UsageError(`--${spec.name} needs a whole number, not "${value}"`);
  if (spec.takes === 'SECONDS' && !/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--${spec.name} needs a number of seconds, not "${value}"`);
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  // --help/-h and --version/-V win wherever they stand (after a command: that command's help).
  if (argv.includes('--version') || argv.includes('-V')) return { command: commandNamed('version')!, positionals: [], options: {}, lists: {} };
  if (argv.includes('--help') || argv.includes('-h')) {
    const first = argv[0];
    const about = first !== undefined && !first.startsWith('-') ? first : undefined;
    if (about !== undefined && about !== 'help' && !commandNamed(about)) throw unknownCommand(about);
    return { command: commandNamed('help')!, positionals: about && about !== 'help' ? [about] : [], options: {}, lists: {} };
  }
  const [name, ...rest] = argv;
  const command = commandNamed(name ?? 'help');
  if (!command) throw unknownCommand(name!);
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
    if (!spec) {
      const near = closest(key, command.options.map((o) => o.name));
      throw new UsageError(`unknown option --${key} for "vkm ${command.name}"${near ? `; did you mean --${near}?` : `; try "vkm help ${command.name}"`}`);
    }
    if (spec.takes) {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new UsageError(`--${key} needs ${spec.takes}`);
      checkValue(spec, value);
      if (!spec.repeatable && options[key] !== undefined) throw new UsageError(`--${key} given twice`);
      options[key] = value;
      if (spec.repeatable) (lists[key] ??= []).push(value);
    } else {
      if (inline !== undefined) throw new UsageError(`--${key} takes no value`);
      options[key] = true;
    }
  }
  const n = command.positionals;
  if (command.name === 'help') {
    if (positionals.length > 1) throw new UsageError(`usage: ${command.usage}`);
    if (positionals[0] !== undefined && !commandNamed(positionals[0])) throw unknownCommand(positionals[0]);
  } else if (options.schema === true && positionals.length === 0) {
    // `vkm replay --schema` prints the schema; it needs no log.
  } else if (n < 0 ? positionals.length === 0 : positionals.length !== n) {
    throw new UsageError(`usage: ${command.usage}`);
  }
  return { command, positionals, options, lists };
}
