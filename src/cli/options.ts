/**
 * The command-line surface as data: commands, their options and help text. Both the parser and
 * `vkm help` read this table.
 */

export interface OptionSpec {
  readonly name: string;
  readonly takes?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Number of positional arguments; -1 for one or more. */
  readonly positionals: number;
  readonly options: readonly OptionSpec[];
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'replay',
    usage: 'vkm replay FILE... [--json] [--quiet] [--stats]',
    summary: 'apply every event of a JSONL log, print each outcome, check every property after each event, print the final digest',
    positionals: -1,
    options: [
      { name: 'json', help: 'one JSON object per event, then a summary object' },
      { name: 'quiet', help: 'print only failures and the summary' },
      { name: 'stats', help: 'print cost counters (ioctls, pins, unpins, IOTLB flushes, DMA faults)' },
    ],
  },
  {
    name: 'events',
    usage: 'vkm events [--json]',
    summary: 'list the event vocabulary: every event type and its fields',
    positionals: 0,
    options: [{ name: 'json', help: 'as a JSON object' }],
  },
  {
    name: 'help',
    usage: 'vkm help [COMMAND]',
    summary: 'show this help',
    positionals: 0,
    options: [],
  },
];

export const EXIT = { ok: 0, violation: 1, usage: 2, incomplete: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function helpText(): string {
  const lines = ['vkm: a model checker for VFIO/KVM device passthrough', '', 'Commands:'];
  for (const c of COMMANDS) {
    lines.push(`  ${c.usage}`, `      ${c.summary}`);
    for (const o of c.options) lines.push(`      --${o.name}${o.takes ? ' ' + o.takes : ''}  ${o.help}`);
  }
  lines.push('', 'Exit codes: 0 all good, 1 a property violated or an expectation failed, 2 bad usage or input, 3 incomplete.');
  return lines.join('\n');
}
