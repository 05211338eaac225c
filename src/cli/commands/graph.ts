/** `vkm graph` (machine or reachable graphs in DOT, Mermaid, JSON or SVG) and `vkm report` (the HTML report). */
import { MACHINES, TABLES, type MachineName } from '../../../machines/index.js';
import { resolveParams } from '../../check/scenario.js';
import { scenarioNamed, scenarioNames } from '../../check/scenarios/index.js';
import { didYouMean } from '../../util/suggest.js';
import { FAULTS } from '../../check/faults.js';
import { runCheck } from '../../check/run.js';
import { DEFAULT_RUNS } from '../../check/scenarios/index.js';
import { toDot } from '../../export/dot.js';
import { machineGraph, type Graph } from '../../export/graph.js';
import { toJson } from '../../export/json.js';
import { toMermaidState } from '../../export/mermaid.js';
import { PROJECTABLE, reachableGraph } from '../../export/reachable.js';
import { reportHtml, type CexMachine } from '../../export/report.js';
import { cexMachineGraphs } from '../../export/cex-machines.js';
import { dotToSvg } from '../../export/svg.js';
import { UsageError } from '../../errors.js';
import { requireDesign } from '../../ops/registry.js';
import { designMachine } from '../../ops/machines.js';
import { compileMachine } from '../../../machines/compile.js';
import type { Io } from '../io.js';
import { EXIT, type ExitCode } from '../options.js';
import { parseParamList, preemptionsOf } from '../params.js';

async function render(g: Graph, format: string): Promise<string> {
  switch (format) {
    case 'dot':
      return toDot(g);
    case 'mermaid':
      return toMermaidState(g);
    case 'json':
      return toJson(g);
    case 'svg':
      return dotToSvg(toDot(g));
    default:
      throw new UsageError(`--format must be dot, mermaid, json or svg, not "${format}"`);
  }
}

function graphsFor(opts: Record<string, string | true>): Graph[] {
  if (opts.scenario !== undefined) {
    if (opts.reachable !== true) throw new UsageError('--scenario needs --reachable (the reachable state graph)');
    const s = scenarioNamed(String(opts.scenario));
    if (!s) throw new UsageError(`unknown scenario "${opts.scenario}"${didYouMean(String(opts.scenario), scenarioNames())} (scenarios: ${scenarioNames().join(', ')})`);
    const params = resolveParams(s, opts.param === undefined ? {} : parseParamList(String(opts.param)));
    if (typeof params === 'string') throw new UsageError(params);
    const project = opts.project === undefined ? undefined : String(opts.project);
    if (project && !PROJECTABLE.includes(project)) throw new UsageError(`--project must be one of ${PROJECTABLE.join(', ')}`);
    // the limit is about what renders: a projection draws a handful of nodes however many it collapses.
    const maxStates = opts['max-states'] !== undefined ? Number(opts['max-states']) : project ? 20_000 : 100;
    const variant = opts.variant === undefined ? s.design : requireDesign(String(opts.variant)).name;
    const r = reachableGraph(s, params, { maxStates, project, variant });
    if (!r.ok) {
      throw new UsageError(
        `the reachable graph of ${s.name} has more than ${maxStates} states; narrow it with smaller --param values, ` +
          `raise --max-states, or collapse it with --project MACHINE (${PROJECTABLE.join(', ')})`,
      );
    }
    return [r.graph];
  }
  const name = opts.machine === undefined ? '' : String(opts.machine);
  const names = name === 'all' ? (Object.keys(MACHINES) as MachineName[]) : [name as MachineName];
  if (!names.every((n) => n in MACHINES)) throw new UsageError(`unknown machine "${name}"${didYouMean(name, Object.keys(MACHINES))} (--machine: all, or one of ${Object.keys(MACHINES).join(', ')})`);
  // the machine as the named design provides it (its guards), the reference's otherwise.
  const design = opts.variant === undefined ? undefined : requireDesign(String(opts.variant)).name;
  return names.map((n) => {
    const machine = design ? designMachine(design, n) : MACHINES[n];
    return machineGraph(machine, design ? compileMachine(machine) : TABLES[n], { refusals: opts.refusals === true });
  });
}

const EXT: Record<string, string> = { dot: 'dot', mermaid: 'mmd', json: 'json', svg: 'svg' };

/**
 * One graph: its document, to --out FILE or stdout. Several (--machine all): each output stays one
 * valid document: JSON as one array; DOT as one file of several digraphs (Graphviz reads them in
 * turn); SVG and Mermaid, which hold one diagram per document, one file per machine in --out DIR.
 */
export async function graphCommand(opts: Record<string, string | true>, io: Io): Promise<ExitCode> {
  const format = opts.format === undefined ? 'dot' : String(opts.format);
  if (!(format in EXT)) throw new UsageError(`--format must be dot, mermaid, json or svg, not "${format}"`);
  const graphs = graphsFor(opts);
  const out = opts.out === undefined ? undefined : String(opts.out);
  if (graphs.length > 1 && opts.machine === 'all' && (format === 'svg' || format === 'mermaid' || out !== undefined)) {
    if (out === undefined) throw new UsageError(`--machine all --format ${format} writes one file per machine: give --out DIR`);
    for (const g of graphs) io.writeFile(`${out}/${g.name}.${EXT[format]}`, await render(g, format));
    io.out(`wrote ${graphs.length} ${format} files to ${out}/`);
    return EXIT.ok;
  }
  const text = format === 'json' && graphs.length > 1 ? `[${graphs.map((g) => toJson(g).trim()).join(',\n')}]\n` : (await Promise.all(graphs.map((g) => render(g, format)))).join('\n');
  if (out !== undefined) io.writeFile(out, text);
  else io.out(text.replace(/\n$/, ''));
  return EXIT.ok;
}

export async function reportCommand(opts: Record<string, string | true>, io: Io, version: string, mermaidJs: () => string): Promise<ExitCode> {
  if (opts.out === undefined) throw new UsageError('vkm report needs --out DIR');
  const now = io.now;
  const preemptions = preemptionsOf(opts);
  const checks = DEFAULT_RUNS.map((r) => runCheck({ scenario: r.scenario, params: r.params, variant: r.variant, expect: r.expect }, { now, preemptions, coverage: true }));
  const mutants = FAULTS.map((f) => runCheck({ scenario: f.scenario, params: f.params ?? {}, variant: f.design.name, expect: { verdict: 'violation', property: f.property } }, { now, preemptions }));
  const machines = await Promise.all(
    (Object.keys(MACHINES) as MachineName[]).map(async (name) => ({ name, svg: await dotToSvg(toDot(machineGraph(MACHINES[name], TABLES[name]))) })),
  );
  const cexMachines = new Map<number, CexMachine[]>();
  for (const [i, r] of mutants.entries()) {
    const drawn = cexMachineGraphs(r);
    if (drawn.length) cexMachines.set(i, await Promise.all(drawn.map(async (d) => ({ machine: d.machine, svg: await dotToSvg(toDot(d.graph)), steps: d.steps }))));
  }
  const file = `${String(opts.out)}/report.html`;
  const command = ['vkm report', ...Object.entries(opts).map(([k, v]) => (v === true ? `--${k}` : `--${k} ${v}`))].join(' ');
  const date = (io.wallClock?.() ?? new Date(0)).toISOString().replace(/\.\d+Z$/, 'Z');
  io.writeFile(file, reportHtml({ title: 'vfio-kvm-model check report', checks, mutants, machines, cexMachines, mermaidJs: mermaidJs(), meta: { version, date, command } }));
  io.out(`wrote ${file}: ${[...checks, ...mutants].filter((r) => r.asExpected).length} of ${checks.length + mutants.length} verdicts as expected`);
  return [...checks, ...mutants].every((r) => r.asExpected) ? EXIT.ok : EXIT.violation;
}
