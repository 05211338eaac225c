/** Mermaid state diagrams for graphs and sequence diagrams for counterexamples. Pure. */
import type { ModelEvent } from '../events/types.js';
import type { Graph } from './graph.js';
import { eventLabel } from './event-label.js';

/** Mermaid state ids must be plain words: map each node to s0, s1, ... and label it. */
export function toMermaidState(g: Graph): string {
  const ids = new Map(g.nodes.map((n, i) => [n.id, `s${i}`]));
  const esc = (s: string) => s.replace(/[:;#"]/g, ' ').replace(/\s+/g, ' ').trim();
  const lines = ['stateDiagram-v2'];
  for (const n of g.nodes) lines.push(`  state "${esc(n.label)}" as ${ids.get(n.id)}`);
  const init = g.nodes.find((n) => n.initial);
  if (init) lines.push(`  [*] --> ${ids.get(init.id)}`);
  for (const e of g.edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)} : ${esc(e.refused ? `${e.label} / ${e.refused}` : e.label)}`);
  return lines.join('\n') + '\n';
}

/** Which lane an event belongs to, by who acts and who answers. */
function lanes(e: ModelEvent): { from: string; to: string } {
  const t = e.type;
  if (t.startsWith('guest.s390.rpcit') || t.startsWith('guest.s390.refresh')) return { from: 'Guest', to: 'KVM' };
  if (t.startsWith('guest.')) return { from: 'Guest', to: 'KVM' };
  if (t.startsWith('device.')) return { from: 'Device', to: 'IOMMU' };
  if (t.startsWith('vmm.kvm.')) return { from: 'VMM', to: 'KVM' };
  if (t.startsWith('vmm.vfio.dma') || t === 'vmm.vfio.set_iommu') return { from: 'VMM', to: 'IOMMU' };
  if (t.startsWith('vmm.')) return { from: 'VMM', to: 'VFIO' };
  return { from: 'Host', to: 'Host' };
}

/** One trace step as a diagram shows it: the event, its outcome, and an actor's event inside it. */
interface DiagramStep {
  /** The step's number in the whole trace (setup included), as the text trace numbers it. */
  readonly n?: number;
  readonly event: ModelEvent;
  readonly code: string;
  readonly step?: { readonly at: number; readonly point: string; readonly actor?: ModelEvent; readonly actorCode?: string };
}

/**
 * A counterexample as a sequence diagram with lanes for guest, VMM, KVM, VFIO, IOMMU and device.
 * An actor's event that ran inside another is drawn between the event's call and its answer.
 */
export function toMermaidSequence(steps: readonly DiagramStep[], note?: string): string {
  const lines = ['sequenceDiagram', '  participant Guest', '  participant VMM', '  participant KVM', '  participant VFIO', '  participant IOMMU', '  participant Device', '  participant Host'];
  const clean = (t: string) => t.replace(/[;#:]/g, ' ').trim();
  steps.forEach((s, i) => {
    const { from, to } = lanes(s.event);
    const label = clean(`${s.n ?? i + 1}. ${eventLabel(s.event)}`);
    const inside = () => {
      const st = s.step;
      if (!st) return;
      lines.push(`  Note over ${to}: ${clean(`step point ${st.at} ${st.point}`)}`);
      if (!st.actor) return;
      const a = lanes(st.actor);
      const what = clean(eventLabel(st.actor));
      if (a.from === a.to) lines.push(`  Note over ${a.from}: ${what} → ${st.actorCode ?? '?'}`);
      else lines.push(`  ${a.from}->>${a.to}: ${what}`, `  ${a.to}-->>${a.from}: ${st.actorCode ?? '?'}`);
    };
    if (from === to) {
      inside();
      lines.push(`  Note over ${from}: ${label} → ${s.code}`);
    } else {
      lines.push(`  ${from}->>${to}: ${label}`);
      inside();
      lines.push(`  ${to}-->>${from}: ${s.code}`);
    }
  });
  if (note) lines.push(`  Note over Guest,Host: ${note.replace(/[;#:]/g, ' ')}`);
  return lines.join('\n') + '\n';
}

