/**
 * The hash chain of a written log: each line carries `chain` = sha256 of the previous line's
 * chain and this line's own text without its chain field, and a trailer line
 * `{"end":{"lines":N,"chain":"..."}}` closes the log with the event count and the last link.
 * Editing, dropping or reordering a line breaks the chain from that line on; dropping the last
 * lines or cutting the file loses or contradicts the trailer. Verification reads the raw text,
 * before anything else looks at a line. Pure.
 */
import { createHash } from 'node:crypto';
import { logLines } from './log-lines.js';

const GENESIS = '0'.repeat(64);

function link(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

/** Whether a parsed line is the log's trailer (`{"end": {...}}`), which is not an event. */
export function isTrailer(o: unknown): boolean {
  return typeof o === 'object' && o !== null && !Array.isArray(o) && Object.keys(o).length === 1 && 'end' in o;
}

/** Adds the chain field to JSON log lines (objects), in order, and the trailer after them. */
export function chainLines(objects: Record<string, unknown>[]): string[] {
  let prev = GENESIS;
  const lines = objects.map((o) => {
    prev = link(prev, JSON.stringify(o));
    return JSON.stringify({ ...o, chain: prev });
  });
  return [...lines, JSON.stringify({ end: { lines: lines.length, chain: prev } })];
}

/** The first line whose chain does not match, or that the trailer contradicts; undefined when the log is whole. */
export function verifyChain(text: string): { line: number; reason: string } | undefined {
  let prev = GENESIS;
  let events = 0;
  const lines = logLines(text);
  let last = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    last = i + 1;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { line: i + 1, reason: 'is not a complete JSON line: the file was cut or changed here' };
    }
    if (isTrailer(o)) {
      const end = o.end as { lines?: unknown; chain?: unknown };
      if (lines.slice(i + 1).some((l) => l.trim() !== '')) return { line: i + 1, reason: 'the trailer is not the last line: lines were added after it' };
      if (end?.lines !== events) return { line: i + 1, reason: `the trailer counts ${String(end?.lines)} events but the log has ${events}: lines were dropped or added` };
      if (end.chain !== prev) return { line: i + 1, reason: 'the trailer\'s chain does not match the last line\'s' };
      return undefined;
    }
    if (typeof o !== 'object' || o === null || typeof o.chain !== 'string') return { line: i + 1, reason: 'has no chain field' };
    const { chain, ...rest } = o;
    const want = link(prev, JSON.stringify(rest));
    if (chain !== want) return { line: i + 1, reason: 'chain does not match: the line or one before it was changed, dropped or reordered' };
    prev = want;
    events++;
  }
  return { line: last + 1, reason: `has no trailer after line ${last}: the log was cut or its last lines dropped` };
}
