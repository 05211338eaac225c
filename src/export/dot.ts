/** Graphviz DOT for a graph. Pure. */
import type { Graph } from './graph.js';

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';

export function toDot(g: Graph): string {
  const lines = [`digraph ${q(g.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  const init = g.nodes.find((n) => n.initial);
  if (init) lines.push('  __start [shape=point, label=""];', `  __start -> ${q(init.id)};`);
  for (const n of g.nodes) lines.push(`  ${q(n.id)} [label=${q(n.label)}];`);
  for (const e of g.edges) {
    const label = e.refused ? `${e.label} / ${e.refused}` : e.actions?.length ? `${e.label} / ${e.actions.join(', ')}` : e.label;
    const style = e.taken ? ', color=red3, fontcolor=red3, penwidth=2.5' : e.refused ? ', style=dashed, color=gray40' : '';
    lines.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(label)}${style}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
