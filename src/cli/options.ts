/**
 * The command-line surface as data: commands, their options and help text. Both the parser and
 * `vkm help` read this table.
 */

export interface OptionSpec {
  readonly name: string;
  readonly takes?: string;
  /** May be given more than once; every value is kept, in order. */
  readonly repeatable?: true;
  readonly help: string;
}

/** --load FILE: a user module that registers designs, faults, scenarios and properties. */
const LOAD: OptionSpec = {
  name: 'load',
  takes: 'FILE',
  repeatable: true,
  help: 'import an ES module that registers designs, faults, scenarios and properties (repeatable; see "Your own design" in the README)',
};

/** --schema: the JSON Schemas of the command's --json output (src/export/json-schemas.ts). */
const SCHEMA: OptionSpec = { name: 'schema', help: 'print the JSON Schemas (draft 2020-12) of the --json output, then exit' };

export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Number of positional arguments; -1 for one or more. */
  readonly positionals: number;
  readonly options: readonly OptionSpec[];
}

const CHECK_OPTIONS: readonly OptionSpec[] = [
  LOAD,
  { name: 'json', help: 'one JSON object per run: scenario, variant, verdict, states, transitions, maxDepth, durationMs, bytesPerState, violations (with traces), covers' },
  { name: 'junit', takes: 'FILE', help: 'also write a JUnit XML report' },
  { name: 'out', takes: 'DIR', help: 'write each counterexample as a JSONL log that vkm replay reproduces' },
  { name: 'max-states', takes: 'N', help: 'stop (incomplete, exit 3) after N distinct states' },
  { name: 'max-depth', takes: 'N', help: 'do not expand states deeper than N steps' },
  { name: 'time-limit', takes: 'SECONDS', help: 'stop (incomplete, exit 3) after this long' },
  { name: 'workers', takes: 'N', help: 'explore with N worker threads (same counts and counterexamples as one); at most the number of cores' },
  { name: 'oversubscribe', help: 'allow --workers above the number of cores' },
  { name: 'max-memory', takes: 'MiB', help: 'stop (incomplete, exit 3) before resident memory passes this' },
  { name: 'checkpoint', takes: 'FILE', help: 'save progress to FILE periodically and when stopped early' },
  { name: 'checkpoint-every', takes: 'SECONDS', help: 'how often to save the checkpoint (default 10)' },
  { name: 'resume', takes: 'FILE', help: 'continue a checkpointed run to exactly the uninterrupted result' },
  { name: 'symmetry', help: 'keep one state per orbit of the scenario\'s interchangeable sets' },
  { name: 'preemptions', takes: 'N', help: 'actor events (DMA, migration, another vCPU) allowed inside each kernel op: 1 (default) also checks what a device could see at every step point; 0 applies every event whole' },
  { name: 'deadlock', help: 'count states in which every choice is refused' },
  { name: 'coverage', help: 'per run: every event type offered, succeeded, new states, refusal codes; per design family: the events of its vocabulary never offered; the ops never called' },
  { name: 'schema', help: 'print the JSON Schemas (draft 2020-12) of the --json output (and of the log lines its traces hold), then exit' },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'check',
    usage: 'vkm check [--load FILE]... [--scenario NAME [--variant DESIGN] [--param k=v,...]] [--json] [--junit FILE] [--out DIR] [--symmetry]',
    summary: 'explore every interleaving of the built-in scenarios (or one) and compare each verdict with the expected one',
    positionals: 0,
    options: [
      { name: 'scenario', takes: 'NAME', help: 'run one scenario' },
      { name: 'variant', takes: 'DESIGN', help: 'under a registered design (or seeded fault) instead of the scenario\'s own' },
      { name: 'param', takes: 'k=v,...', help: 'scenario parameters, e.g. G=3,I=2,L=2' },
      ...CHECK_OPTIONS,
    ],
  },
  {
    name: 'mutants',
    usage: 'vkm mutants [--load FILE]... [--json] [--junit FILE] [--out DIR]',
    summary: 'check every seeded fault: each must be found, with a shortest counterexample',
    positionals: 0,
    options: CHECK_OPTIONS,
  },
  {
    name: 'simulate',
    usage: 'vkm simulate [--load FILE]... --scenario NAME [--variant DESIGN] [--param k=v,...] [--runs N] [--steps N] [--seed S] [--path P] [--out DIR]',
    summary: 'random runs over the scenario\'s choices (fast-check), shrinking a failure to a minimal log',
    positionals: 0,
    options: [
      LOAD,
      { name: 'scenario', takes: 'NAME', help: 'the scenario whose choices drive the runs' },
      { name: 'variant', takes: 'DESIGN', help: 'under a registered design (or seeded fault) instead of the scenario\'s own' },
      { name: 'param', takes: 'k=v,...', help: 'scenario parameters' },
      { name: 'runs', takes: 'N', help: 'number of random runs (default 100)' },
      { name: 'steps', takes: 'N', help: 'maximum steps per run (default 200)' },
      { name: 'seed', takes: 'S', help: 'random seed (printed on failure)' },
      { name: 'path', takes: 'P', help: 'replay a reported failure path' },
      { name: 'out', takes: 'DIR', help: 'write the shrunk failing run as a JSONL log' },
    ],
  },
  {
    name: 'paths',
    usage: 'vkm paths [--load FILE]... --machine NAME [--variant DESIGN] [--json]',
    summary: 'test paths from a lifecycle machine: shortest path to every state and a transition-covering suite',
    positionals: 0,
    options: [
      LOAD,
      { name: 'machine', takes: 'NAME', help: 'a lifecycle machine (vkm graph --machine all lists them)' },
      { name: 'variant', takes: 'DESIGN', help: 'the machine as this design provides it (its guards)' },
      { name: 'json', help: 'as one JSON object (schema vkm-paths/1): machine, design, paths [{kind, target, events, description}]' },
      SCHEMA,
    ],
  },
  {
    name: 'graph',
    usage: 'vkm graph [--load FILE]... --machine NAME|all [--variant DESIGN] | --scenario NAME --reachable [--variant DESIGN] [--project MACHINE] [--format dot|mermaid|json|svg] [--out FILE]',
    summary: 'export lifecycle machines, or the reachable state graph of a small scenario',
    positionals: 0,
    options: [
      LOAD,
      { name: 'machine', takes: 'NAME|all', help: 'a lifecycle machine, or all of them' },
      { name: 'scenario', takes: 'NAME', help: 'with --reachable: the scenario whose reachable graph to export' },
      { name: 'reachable', help: 'export the reachable state graph (edges: events with their parameters)' },
      { name: 'variant', takes: 'DESIGN', help: 'with --reachable: under this design instead of the scenario\'s own; with --machine: the machine as this design provides it' },
      { name: 'project', takes: 'MACHINE', help: 'collapse the reachable graph onto one machine\'s states' },
      { name: 'param', takes: 'k=v,...', help: 'scenario parameters' },
      { name: 'max-states', takes: 'N', help: 'refuse graphs with more states (default 100, about what still reads as a picture)' },
      { name: 'refusals', help: 'include refused events (with their codes) as dashed self-loops' },
      { name: 'format', takes: 'F', help: 'dot (default), mermaid, json (schema: vkm-graph/1) or svg' },
      { name: 'out', takes: 'FILE', help: 'write to FILE instead of stdout' },
      { ...SCHEMA, help: 'print the JSON Schema (draft 2020-12) of --format json, then exit' },
    ],
  },
  {
    name: 'report',
    usage: 'vkm report [--load FILE]... --out DIR',
    summary: 'one self-contained HTML report: verdicts, coverage, counterexamples with diagrams, machine graphs',
    positionals: 0,
    options: [LOAD, { name: 'out', takes: 'DIR', help: 'where report.html goes' }, { name: 'preemptions', takes: 'N', help: 'as for vkm check (default 1)' }],
  },
  {
    name: 'variants',
    usage: 'vkm variants [--load FILE]... [--json]',
    summary: 'list the designs (with the ops each replaces) and the seeded faults with their expected verdicts',
    positionals: 0,
    options: [LOAD, { name: 'json', help: 'as one JSON object (schema vkm-variants/1)' }, SCHEMA],
  },
  {
    name: 'replay',
    usage: 'vkm replay [--load FILE]... FILE... [--json] [--quiet] [--stats]   (or: vkm replay --schema)',
    summary: 'apply every event of a JSONL log, print each outcome, check every property after each event, print the final digest',
    positionals: -1,
    options: [
      LOAD,
      { name: 'json', help: 'one JSON object per event (schema vkm-replay-step/1), then a summary (vkm-replay-summary/1)' },
      SCHEMA,
      { name: 'quiet', help: 'print only failures and the summary' },
      { name: 'stats', help: 'print cost counters (VM exits, ioctls, pins, unpins, IOTLB invalidations, page requests) per phase; with several logs, a comparison of their workload phases' },
      { name: 'verify', help: 'check the hash chain written by --out before replaying' },
      { name: 'limit', takes: 'pages-per-event=N,frames=N', help: 'the most pages one event may touch (default 65536, 256 MiB), and the most host frames in use counting what an event could allocate (default 262144, 1 GiB); an event over either is an input error, never a hang' },
      { name: 'state-at', takes: 'LINE', help: 'print the whole state after that line as JSON (schema vkm-state/1), every IOMMU table decoded; replays past violations to get there' },
      { name: 'keep-going', help: 'carry on past violations a line did not expect (a line\'s "expectViolation" always carries on); the exit code still reports them' },
      { name: 'check-all', help: 'check every property after every line, instead of only those that read something the line changed (for a property whose "reads" may be wrong)' },
    ],
  },
  {
    name: 'events',
    usage: 'vkm events [--json | --schema]',
    summary: 'list the event vocabulary: every event type and its fields',
    positionals: 0,
    options: [{ name: 'json', help: 'as one JSON object (schema vkm-events/1)' }, { name: 'schema', help: 'the JSON Schema (draft 2020-12) of a log line, for editors and CI' }],
  },
  {
    name: 'schemas',
    usage: 'vkm schemas',
    summary: 'print every JSON Schema vkm publishes (log lines and each --json output) as one array',
    positionals: 0,
    options: [],
  },
  {
    name: 'help',
    usage: 'vkm help [COMMAND]   (also: vkm [COMMAND] --help, -h)',
    summary: 'show this overview, or one command\'s usage and options',
    positionals: -1,
    options: [],
  },
  {
    name: 'version',
    usage: 'vkm --version   (also: -V)',
    summary: 'print the version',
    positionals: 0,
    options: [],
  },
];

export const EXIT = { ok: 0, violation: 1, usage: 2, incomplete: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const EXIT_LINE = 'Exit codes: 0 all good, 1 a property violated or an expectation failed, 2 bad usage or input, 3 incomplete.';

/** The overview: every command with its usage and one line on what it does. */
export function helpText(): string {
  const lines = ['vkm: a model checker for VFIO/KVM device passthrough', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push('', 'vkm help COMMAND (or vkm COMMAND --help) shows a command\'s options.', EXIT_LINE);
  return lines.join('\n');
}

/** One command's help: its usage, what it does, and every option. */
export function commandHelp(c: CommandSpec): string {
  const lines = [`usage: ${c.usage}`, '', c.summary];
  if (c.options.length) {
    lines.push('', 'Options:');
    for (const o of c.options) lines.push(`  --${o.name}${o.takes ? ' ' + o.takes : ''}${o.repeatable ? ' (repeatable)' : ''}`, `      ${o.help}`);
  }
  lines.push('', EXIT_LINE);
  return lines.join('\n');
}
