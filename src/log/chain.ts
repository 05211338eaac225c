/**
 * The optional hash chain of a written log: each line carries `chain` = sha256 of the previous
 * line's chain and this line's own text without its chain field. Editing, dropping or reordering a
 * line breaks the chain from that line on. Pure.
 */
import { createHash } from 'node:crypto';
import type { LogEntry } from '../events/types.js';
import { eventToJson, stepToJson } from '../events/serialize.js';

const GENESIS = '0'.repeat(64);

function link(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

/** Adds the chain field to JSON log lines (objects), in order. */
export function chainLines(objects: Record<string, unknown>[]): string[] {
  let prev = GENESIS;
  return objects.map((o) => {
    prev = link(prev, JSON.stringify(o));
    return JSON.stringify({ ...o, chain: prev });
  });
}

/** The first line whose chain does not match, or undefined when every line carries a valid link. */
export function verifyChain(entries: readonly LogEntry[]): { line: number; reason: string } | undefined {
  let prev = GENESIS;
  for (const e of entries) {
    if (e.chain === undefined) return { line: e.line, reason: 'has no chain field' };
    const body = JSON.stringify({
      ...eventToJson(e.event, e.expect),
      ...(e.comment !== undefined ? { comment: e.comment } : {}),
      ...(e.phase !== undefined ? { phase: e.phase } : {}),
      ...(e.step !== undefined ? { step: stepToJson(e.step) } : {}),
    });
    const want = link(prev, body);
    if (e.chain !== want) return { line: e.line, reason: 'chain does not match: the line or one before it was changed, dropped or reordered' };
    prev = want;
  }
  return undefined;
}
