/**
 * A counterexample as a numbered text trace: each step shows the event, its outcome and only what
 * changed (pin counts, IOMMU table entries in hex, lifecycle states, locked_vm). Pure.
 */
import { FORMATS } from '../iommu/formats.js';
import { applyEvent } from '../kernel/reduce.js';
import { applyStepped, type SteppedEvent } from '../kernel/stepped.js';
import { emptyWorld, type World } from '../model/world.js';
import type { ModelEvent } from '../events/types.js';
import { hex } from '../util/hex.js';
import { eventLabel } from './event-label.js';

/** The facts a trace reports, as key → value strings. */
export function facts(w: World): Map<string, string> {
  const f = new Map<string, string>();
  for (const [pfn, n] of w.pins) f.set(`pins of frame ${hex(pfn)}`, String(n));
  for (const d of w.domains.values()) {
    for (const l of FORMATS[d.format].leaves(w.frames, d.root)) {
      f.set(`${d.id} IOVA ${hex(BigInt(l.iovaPage) << 12n)}`, `frame ${hex(l.t.pfn)} ${l.t.read ? 'r' : '-'}${l.t.write ? 'w' : '-'}`);
    }
  }
  for (const mm of w.mms.values()) f.set(`locked_vm of ${mm.id}`, `${mm.lockedVm} pages`);
  for (const [kind, m] of [['container', w.containers], ['group', w.groups], ['device', w.devices], ['VM', w.vms], ['KVM-VFIO device', w.kvmdevs], ['zPCI function', w.zpci]] as const) {
    for (const o of (m as Map<string, { id: string; lc: string }>).values()) f.set(`${kind} ${o.id}`, o.lc);
  }
  for (const g of w.groups.values()) f.set(`group ${g.id} domain`, g.dmaLc);
  return f;
}

export interface TraceStep {
  readonly n: number;
  readonly event: ModelEvent;
  readonly code: string;
  readonly changes: string[];
  /** Where the event was interrupted (or checked), and the actor's event that ran there with its outcome. */
  readonly step?: { readonly at: number; readonly point: string; readonly actor?: ModelEvent; readonly actorCode?: string };
}

/** Replays a trace from an empty world, recording each step's outcome and changed facts. */
export function traceSteps(trace: readonly SteppedEvent[]): TraceStep[] {
  const w = emptyWorld();
  let before = facts(w);
  return trace.map((event, i) => {
    const mark = event.step;
    const run = mark && applyStepped(w, event, { inject: mark.actor && { at: mark.at, actor: mark.actor } });
    const code = run ? run.outcome.code : applyEvent(w, event).code;
    const after = facts(w);
    const changes: string[] = [];
    for (const [k, v] of after) if (before.get(k) !== v) changes.push(`${k}: ${before.get(k) ?? '-'} → ${v}`);
    for (const [k, v] of before) if (!after.has(k)) changes.push(`${k}: ${v} → -`);
    before = after;
    const step = mark && { at: mark.at, point: mark.point, actor: mark.actor, actorCode: run?.actorOutcome?.code };
    return { n: i + 1, event, code, changes, ...(step ? { step } : {}) };
  });
}

/** The text form: setup steps folded, explored steps in full. */
export function traceText(trace: readonly SteppedEvent[], setupLength: number, violation?: string): string {
  const steps = traceSteps(trace);
  const lines = [`(${setupLength} setup steps)`];
  for (const s of steps.slice(setupLength)) {
    lines.push(`${String(s.n).padStart(3)}. ${eventLabel(s.event)} → ${s.code}`);
    if (s.step) {
      const inside = s.step.actor ? `${eventLabel(s.step.actor)} → ${s.step.actorCode ?? '?'}` : 'checked here';
      lines.push(`       at step point ${s.step.at} (${s.step.point}): ${inside}`);
    }
    for (const c of s.changes) lines.push(`       ${c}`);
  }
  if (violation) lines.push(`VIOLATION ${violation}`);
  return lines.join('\n') + '\n';
}
