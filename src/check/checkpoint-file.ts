/**
 * The checkpoint file: the explorer's progress (explore.ts's Checkpoint) inside an envelope that
 * names its format and carries a sha256 of the content, so a cut, edited or foreign file is
 * refused before anything runs, never resumed into a wrong verdict. Decoding also checks the
 * structure the explorer relies on (the state table's arrays, parents before children, depths
 * one more than their parent's, counters in range), since a checksum only proves the writer.
 */
import { createHash } from 'node:crypto';
import type { Checkpoint } from './explore.js';

export const CHECKPOINT_FORMAT = 'vkm-checkpoint/5';

/** Canonical text of the content: what the checksum covers. */
const body = (c: Checkpoint) => JSON.stringify(c);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function encodeCheckpoint(c: Checkpoint): string {
  const text = body(c);
  return `{"format":"${CHECKPOINT_FORMAT}","sha256":"${sha(text)}","checkpoint":${text}}`;
}

export type Decoded = { ok: true; checkpoint: Checkpoint } | { ok: false; field: string; reason: string };

const bad = (field: string, reason: string): Decoded => ({ ok: false, field, reason });
const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;

function typed<T>(b64: unknown, make: (buf: ArrayBuffer) => T, unit: number): T | undefined {
  if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  const b = Buffer.from(b64, 'base64');
  if (b.byteLength % unit !== 0) return undefined;
  return make(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The table's arrays and the explorer's invariants over them; the first broken one. */
function checkTable(t: Record<string, unknown>): { field: string; reason: string } | undefined {
  const hi = typed(t.hi, (b) => new Uint32Array(b), 4);
  const lo = typed(t.lo, (b) => new Uint32Array(b), 4);
  const parent = typed(t.parent, (b) => new Int32Array(b), 4);
  const depth = typed(t.depth, (b) => new Uint16Array(b), 2);
  const choice = typed(t.choice, (b) => new Uint16Array(b), 2);
  if (!hi || !lo || hi.length !== lo.length || hi.length === 0 || (hi.length & (hi.length - 1)) !== 0) return { field: 'table.hi', reason: 'the key arrays must be base64 of equal power-of-two lengths' };
  if (!isCount(t.size) || t.size < 1 || t.size >= hi.length) return { field: 'table.size', reason: `must be a count of states below the table's ${hi.length} slots` };
  const size = t.size;
  if (!parent || !depth || !choice || parent.length < size || depth.length < size || choice.length < size) return { field: 'table.parent', reason: `parent, depth and choice must hold ${size} states` };
  let used = 0;
  for (let i = 0; i < hi.length; i++) if (hi[i] !== 0 || lo[i] !== 0) used++;
  if (used !== size) return { field: 'table.size', reason: `says ${size} states but the keys hold ${used}` };
  if (parent[0] !== -1 || depth[0] !== 0) return { field: 'table.parent', reason: 'state 0 must be the root' };
  for (let i = 1; i < size; i++) {
    if (parent[i] < 0 || parent[i] >= i) return { field: 'table.parent', reason: `state ${i}'s parent ${parent[i]} is not an earlier state` };
    if (depth[i] !== depth[parent[i]] + 1) return { field: 'table.depth', reason: `state ${i} is at depth ${depth[i]}, its parent at ${depth[parent[i]]}` };
  }
  if (t.wide !== undefined && (!Array.isArray(t.wide) || t.wide.some((p) => !Array.isArray(p) || p.length !== 2 || !isCount(p[0], size - 1) || !isCount(p[1])))) {
    return { field: 'table.wide', reason: 'must be [state, choice] pairs of known states' };
  }
  return undefined;
}

/** Parses and checks a checkpoint file's text; the first problem, with the field it is in. */
export function decodeCheckpoint(text: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad('format', 'not a checkpoint (invalid JSON: cut or not a vkm checkpoint)');
  }
  const env = raw as Record<string, unknown>;
  if (typeof env !== 'object' || env === null || env.format !== CHECKPOINT_FORMAT) {
    return bad('format', `not a ${CHECKPOINT_FORMAT} checkpoint${typeof env?.version === 'number' ? ` (version ${env.version}: take it again with this vkm)` : ''}`);
  }
  const c = env.checkpoint as Record<string, unknown>;
  if (typeof c !== 'object' || c === null) return bad('checkpoint', 'missing');
  if (env.sha256 !== sha(JSON.stringify(c))) return bad('sha256', 'does not match the content: the file was changed or cut');
  if (c.version !== 4) return bad('checkpoint.version', 'must be 4');
  if (typeof c.scenario !== 'string' || typeof c.variant !== 'string') return bad('checkpoint.scenario', 'scenario and variant must be names');
  if (typeof c.params !== 'object' || c.params === null || Object.values(c.params).some((v) => !isCount(v))) return bad('checkpoint.params', 'must map names to whole numbers');
  if (typeof c.symmetry !== 'boolean' || typeof c.incompleteDepth !== 'boolean') return bad('checkpoint.symmetry', 'symmetry and incompleteDepth must be true or false');
  if (c.preemptions !== 0 && c.preemptions !== 1) return bad('checkpoint.preemptions', 'must be 0 or 1');
  for (const f of ['transitions', 'deepest', 'deadlocks'] as const) if (!isCount(c[f])) return bad(`checkpoint.${f}`, 'must be a non-negative whole number');
  if (!Array.isArray(c.covers) || c.covers.some((x) => typeof x !== 'boolean')) return bad('checkpoint.covers', 'must be a list of true or false');
  if (typeof c.table !== 'object' || c.table === null) return bad('checkpoint.table', 'missing');
  const t = checkTable(c.table as Record<string, unknown>);
  if (t) return bad(`checkpoint.${t.field}`, t.reason);
  const size = (c.table as { size: number }).size;
  if (!isCount(c.next, size)) return bad('checkpoint.next', `must be a state between 0 and ${size}`);
  return { ok: true, checkpoint: c as unknown as Checkpoint };
}
