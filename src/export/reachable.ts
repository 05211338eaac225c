/**
 * The reachable state graph of a small scenario: every state the choices reach, edges labelled
 * with the event and its parameters. Optionally projected onto one lifecycle machine (states
 * collapsed to that machine's state of the scenario's first object of its kind). Pure.
 */
import { applyEvent } from '../kernel/reduce.js';
import { SUCCESS_CODES } from '../model/codes.js';
import { cloneWorld, type World } from '../model/world.js';
import { buildSetup } from '../check/explore.js';
import { fingerprint } from '../check/fingerprint.js';
import type { Params, Scenario } from '../check/scenario.js';
import type { Graph, GraphEdge } from './graph.js';
import { eventLabel } from './event-label.js';

/** The lifecycle state a world is in, for each machine a projection can use. */
const PROJECTIONS: Record<string, (w: World) => string | undefined> = {
  'vfio-container': (w) => [...w.containers.values()][0]?.lc,
  'vfio-group': (w) => [...w.groups.values()][0]?.lc,
  'vfio-device': (w) => [...w.devices.values()][0]?.lc,
  'kvm-vm': (w) => [...w.vms.values()][0]?.lc,
  'kvm-vfio-device': (w) => [...w.kvmdevs.values()][0]?.lc ?? 'absent',
  'iommu-domain': (w) => [...w.groups.values()][0]?.dmaLc,
  'zpci-function': (w) => [...w.zpci.values()][0]?.lc ?? 'unplugged',
};

export const PROJECTABLE = Object.keys(PROJECTIONS);


/** A short label for a state: the lifecycle states of its objects and its pin total. */
function stateLabel(w: World): string {
  const lc = (m: Map<string, { lc: string }>) => [...m.values()].map((o) => o.lc).join('/');
  const pins = [...w.pins.values()].reduce((a, b) => a + b, 0);
  return [`grp ${lc(w.groups)}`, `ctr ${lc(w.containers)}`, w.vms.size ? `vm ${lc(w.vms)}` : '', w.zpci.size ? `fn ${lc(w.zpci)}` : '', `pins ${pins}`].filter(Boolean).join(' · ');
}

export type ReachableResult = { ok: true; graph: Graph } | { ok: false; states: number };

export function reachableGraph<Ctx>(s: Scenario<Ctx>, p: Params, opts: { maxStates: number; project?: string; variant?: string }): ReachableResult {
  const { world: root, ctx } = buildSetup(s, p, opts.variant);
  const key = (w: World) => fingerprint(w).join(':');
  const ids = new Map<string, number>([[key(root), 0]]);
  const worlds: World[] = [root];
  const edges: GraphEdge[] = [];
  for (let i = 0; i < worlds.length; i++) {
    for (const event of s.choices(worlds[i], p, ctx)) {
      const next = cloneWorld(worlds[i]);
      const out = applyEvent(next, event);
      const k = key(next);
      let j = ids.get(k);
      if (j === undefined) {
        if (worlds.length >= opts.maxStates) return { ok: false, states: worlds.length };
        ids.set(k, (j = worlds.length));
        worlds.push(next);
      }
      edges.push({ from: `s${i}`, to: `s${j}`, label: eventLabel(event), refused: SUCCESS_CODES.has(out.code) ? undefined : out.code });
    }
  }
  // the summary can coincide for states that differ elsewhere (bytes, caches): the id tells them apart.
  const labels = worlds.map(stateLabel);
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  const nodes = worlds.map((_, i) => ({ id: `s${i}`, label: count.get(labels[i])! > 1 ? `${labels[i]} · s${i}` : labels[i], initial: i === 0 }));
  const graph: Graph = { name: `${s.name} reachable`, kind: 'reachable', nodes, edges };
  return { ok: true, graph: opts.project ? project(graph, worlds, opts.project) : graph };
}

/**
 * Collapses states onto one machine's states; parallel edges with the same event type merge. A
 * successful event that leaves the machine's state as it was stays, as a self-loop: it is what the
 * object accepts there.
 */
function project(g: Graph, worlds: World[], machine: string): Graph {
  const of = PROJECTIONS[machine];
  const stateOf = new Map(g.nodes.map((n, i) => [n.id, of(worlds[i]) ?? 'none']));
  const names = [...new Set(stateOf.values())];
  const seen = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const e of g.edges) {
    const from = stateOf.get(e.from)!;
    const to = stateOf.get(e.to)!;
    const type = e.label.slice(0, e.label.indexOf('('));
    const k = `${from}|${to}|${type}|${e.refused ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    edges.push({ from, to, label: type, refused: e.refused });
  }
  return { name: `${g.name} projected on ${machine}`, kind: 'reachable', nodes: names.map((n) => ({ id: n, label: n, initial: n === stateOf.get('s0') })), edges };
}
