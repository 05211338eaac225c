/**
 * Action coverage, as TLC's -coverage reports it per action: for every event type, how often a
 * run offered it, how often it succeeded, which refusal codes it reached and how many new states it
 * led to; and for every op of the design, how often it ran. An operation no run offered, or an op
 * that never ran, is visible at once. Pure: counts in, counts out.
 */
import { SUCCESS_CODES } from '../model/codes.js';

export interface EventCoverage {
  /** Times the event was applied (setup events once each, choices once per state expanded). */
  offered: number;
  /** Times it succeeded (OK, cc 0, H_SUCCESS, CLP OK). */
  ok: number;
  /** Times it led to a state not seen before. */
  newStates: number;
  /** Times it ran with an actor's event inside it. */
  interleaved: number;
  /** Refusal codes reached, with how often. */
  refused: Record<string, number>;
}

export interface Coverage {
  readonly events: Record<string, EventCoverage>;
  /** Calls of each op (`table.op`), counted while moves were expanded (rebuilding a state does not count). */
  readonly ops: Record<string, number>;
}

export class CoverageTally {
  private readonly events = new Map<string, EventCoverage>();
  private readonly ops = new Map<string, number>();

  /** One applied event: its type, its outcome code, whether its state was new, whether an actor ran inside. */
  event(type: string, code: string, isNew: boolean, interleaved = false): void {
    let c = this.events.get(type);
    if (!c) this.events.set(type, (c = { offered: 0, ok: 0, newStates: 0, interleaved: 0, refused: {} }));
    c.offered++;
    if (SUCCESS_CODES.has(code)) c.ok++;
    else c.refused[code] = (c.refused[code] ?? 0) + 1;
    if (isNew) c.newStates++;
    if (interleaved) c.interleaved++;
  }

  /** Op calls of one move. */
  calls(counts: ReadonlyMap<string, number> | Record<string, number> | undefined): void {
    if (!counts) return;
    for (const [op, n] of counts instanceof Map ? counts : Object.entries(counts)) this.ops.set(op, (this.ops.get(op) ?? 0) + n);
  }

  toJSON(): Coverage {
    const sorted = <T>(m: Map<string, T>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { events: sorted(this.events), ops: sorted(this.ops) };
  }
}

/** Coverage of several runs together (a design family's default runs). */
export function mergeCoverage(list: readonly Coverage[]): Coverage {
  const events: Record<string, EventCoverage> = {};
  const ops: Record<string, number> = {};
  for (const c of list) {
    for (const [t, e] of Object.entries(c.events)) {
      const x = (events[t] ??= { offered: 0, ok: 0, newStates: 0, interleaved: 0, refused: {} });
      x.offered += e.offered;
      x.ok += e.ok;
      x.newStates += e.newStates;
      x.interleaved += e.interleaved;
      for (const [code, n] of Object.entries(e.refused)) x.refused[code] = (x.refused[code] ?? 0) + n;
    }
    for (const [op, n] of Object.entries(c.ops)) ops[op] = (ops[op] ?? 0) + n;
  }
  return { events, ops };
}
