/**
 * Turns one decoded JSON object into a typed event, checking every field against EVENT_SCHEMA.
 * Pure; failures are returned as `{ field, reason }` so the log reader can add file and line.
 */
import { hexToBytes, U64_MAX } from '../util/hex.js';
import { ACTOR_EVENT_TYPES, CHAIN_PATTERN, HASH_PATTERN, HEX_ANY, HEX_U64, ID_PATTERN, META_FIELDS, NAME_PATTERN, PHASE_PATTERN, type FieldSpec } from './fields.js';
import { EVENT_SCHEMA } from './schema.js';
import { codesOf } from './refusals.js';
import { isOutcomeCode, OUTCOME_CODES } from '../model/codes.js';
import { closest } from '../util/suggest.js';
import type { EventType, Expectation, ExpectState, ModelEvent, StepMark } from './types.js';

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

/** Keys a log line may carry besides the event's own fields. */
const META_KEYS: ReadonlySet<string> = new Set(META_FIELDS);
/** The events that may run inside another at a step point: the device's, the host mm's, another vCPU's. */
const ACTOR_EVENTS: ReadonlySet<string> = new Set(ACTOR_EVENT_TYPES);
const U32_MAX = 0xffffffff;
/** Each event type's fields as an array, built once (the parser runs per log line). */
const FIELD_LISTS = new Map(Object.entries(EVENT_SCHEMA).map(([t, specs]) => [t as EventType, Object.entries(specs) as [string, FieldSpec][]]));

function fail<T>(field: string, reason: string): ParseResult<T> {
  return { ok: false, problem: { field, reason } };
}

function parseU64(field: string, raw: unknown): ParseResult<bigint> {
  if (typeof raw !== 'string') return fail(field, `expected a hex string such as "0x1000", got ${describe(raw)}`);
  if (HEX_U64.test(raw)) return { ok: true, value: BigInt(raw) };
  if (!HEX_ANY.test(raw)) return fail(field, `"${clip(raw)}" is not a 0x-prefixed hex number`);
  if (!HEX_U64.test(raw.replace(/^0x0+(?=[0-9a-fA-F])/, '0x'))) {
    return fail(field, `${clip(raw)} exceeds 2^64-1 (${'0x' + U64_MAX.toString(16)})`);
  }
  return { ok: true, value: BigInt(raw) };
}

function parseU32(field: string, raw: unknown): ParseResult<number> {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 0 || raw > U32_MAX) return fail(field, `${raw} is not an integer in 0..2^32-1`);
    return { ok: true, value: raw };
  }
  if (typeof raw === 'string' && HEX_ANY.test(raw)) {
    const v = BigInt(raw);
    if (v > BigInt(U32_MAX)) return fail(field, `${clip(raw)} exceeds 2^32-1`);
    return { ok: true, value: Number(v) };
  }
  return fail(field, `expected an integer or hex string, got ${describe(raw)}`);
}

function parseField(field: string, spec: FieldSpec, raw: unknown): ParseResult<unknown> {
  if (raw === undefined) {
    if ('default' in spec && spec.default !== undefined) return { ok: true, value: spec.default };
    if ('optional' in spec && spec.optional) return { ok: true, value: undefined };
    return fail(field, 'is required');
  }
  switch (spec.kind) {
    case 'u64':
      return parseU64(field, raw);
    case 'u32':
      return parseU32(field, raw);
    case 'bytes': {
      if (typeof raw !== 'string') return fail(field, `expected a hex byte string, got ${describe(raw)}`);
      const b = hexToBytes(raw);
      if (b === undefined) return fail(field, `"${clip(raw)}" is not an even-length hex byte string`);
      return { ok: true, value: b };
    }
    case 'name':
      return typeof raw === 'string' && NAME_PATTERN.test(raw)
        ? { ok: true, value: raw }
        : fail(field, `expected a name (letters, digits, _.:-, at most 64), got ${describe(raw)}`);
    case 'hash':
      return typeof raw === 'string' && HASH_PATTERN.test(raw)
        ? { ok: true, value: raw }
        : fail(field, `expected "sha256:" and 64 lower-case hex digits, got ${describe(raw)}`);
    case 'bool':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : fail(field, `expected true or false, got ${describe(raw)}`);
    case 'enum':
      return typeof raw === 'string' && spec.values.includes(raw)
        ? { ok: true, value: raw }
        : fail(field, `expected one of ${spec.values.join(', ')}, got ${describe(raw)}`);
    case 'ref':
    case 'create':
    case 'declare':
      return typeof raw === 'string' && ID_PATTERN.test(raw)
        ? { ok: true, value: raw }
        : fail(field, `expected an id (letters, digits, _.:-, at most 64), got ${describe(raw)}`);
  }
}

/**
 * An expectation's code must be one the model knows: a misspelt code is the author's mistake, so it
 * is an input error naming the nearest codes, not a mismatch found after the event ran.
 */
function knownCode(field: string, code: string, type: EventType): ParseResult<string> {
  if (isOutcomeCode(code)) return { ok: true, value: code };
  const own = codesOf(type);
  const near = closest(code, own) ?? closest(code, Object.keys(OUTCOME_CODES));
  return fail(field, `unknown outcome code "${clip(code)}"${near ? `; did you mean "${near}"?` : ''} (${type} answers ${own.join(', ')}; vkm events lists every code with its meaning)`);
}

function parseExpect(raw: unknown, type: EventType): ParseResult<Expectation> {
  if (typeof raw === 'string') {
    const c = knownCode('expect', raw, type);
    return c.ok ? { ok: true, value: { code: raw } } : c;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('expect', `expected an outcome code or {"code", "data", "value"}, got ${describe(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['code', 'data', 'value'].includes(k)) return fail(`expect.${k}`, 'unknown key');
  if (typeof o.code !== 'string') return fail('expect.code', 'is required and must be a string');
  const c = knownCode('expect.code', o.code, type);
  if (!c.ok) return c;
  let data: Uint8Array | undefined;
  if (o.data !== undefined) {
    data = typeof o.data === 'string' ? hexToBytes(o.data) : undefined;
    if (data === undefined) return fail('expect.data', 'must be an even-length hex byte string');
  }
  let value: bigint | undefined;
  if (o.value !== undefined) {
    const v = parseU64('expect.value', o.value);
    if (!v.ok) return v;
    value = v.value;
  }
  return { ok: true, value: { code: o.code, data, value } };
}

export interface ParsedLine {
  readonly event: ModelEvent;
  readonly expect?: Expectation;
  /** Properties the event is expected to violate (names; the log reader checks they exist). */
  readonly expectViolation?: readonly string[];
  readonly expectState?: ExpectState;
  /** Runs the event interrupted at a step point (or checks it there). */
  readonly step?: StepMark;
  readonly comment?: string;
  /** Starts a named phase of the log (setup, workload, ...): `replay --stats` reports counters per phase. */
  readonly phase?: string;
  /** Hash chain over the log's lines (written by --out, checked by replay --verify). */
  readonly chain?: string;
}

/** Parses one decoded JSON value as an event line. */
export function parseEventObject(raw: unknown): ParseResult<ParsedLine> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('type', `a log line must be a JSON object, got ${describe(raw)}`);
  const o = raw as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string') return fail('type', 'is required and must be a string');
  if (!Object.prototype.hasOwnProperty.call(EVENT_SCHEMA, type)) return fail('type', `unknown event type "${clip(type)}"`);
  const specs = EVENT_SCHEMA[type as EventType] as Record<string, FieldSpec>;
  if (type === 'host.boot' && o.variant !== undefined) {
    // logs written before designs were ops tables name the design `variant`.
    if (o.design !== undefined) return fail('variant', 'give the design once, as "design" (variant is its old name)');
    const { variant, ...rest } = o;
    return parseEventObject({ ...rest, design: variant });
  }
  for (const key in o) {
    if (!META_KEYS.has(key) && !Object.prototype.hasOwnProperty.call(specs, key)) {
      return fail(key, `unknown field for ${type} (fields: ${Object.keys(specs).join(', ')})`);
    }
  }
  const event: Record<string, unknown> = { type };
  for (const [name, spec] of FIELD_LISTS.get(type as EventType)!) {
    const r = parseField(name, spec, o[name]);
    if (!r.ok) return r;
    event[name] = r.value;
  }
  let expect: Expectation | undefined;
  if (o.expect !== undefined) {
    const r = parseExpect(o.expect, type as EventType);
    if (!r.ok) return r;
    expect = r.value;
  }
  let expectViolation: string[] | undefined;
  if (o.expectViolation !== undefined) {
    const v = o.expectViolation;
    const names = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
    if (!names || names.length === 0 || names.length > 64 || names.some((n) => typeof n !== 'string' || n.length === 0 || n.length > 64) || new Set(names).size !== names.length) {
      return fail('expectViolation', `expected a property name or a list of distinct ones, got ${describe(v)}`);
    }
    expectViolation = names as string[];
  }
  let expectState: ExpectState | undefined;
  if (o.expectState !== undefined) {
    const r = parseExpectState(o.expectState);
    if (!r.ok) return r;
    expectState = r.value;
  }
  if (o.comment !== undefined && typeof o.comment !== 'string') return fail('comment', 'must be a string');
  if (o.phase !== undefined && (typeof o.phase !== 'string' || !PHASE_PATTERN.test(o.phase))) return fail('phase', 'must be a short lower-case name such as "workload"');
  if (o.chain !== undefined && (typeof o.chain !== 'string' || !CHAIN_PATTERN.test(o.chain))) return fail('chain', 'must be a 64-digit lower-case hex sha256');
  let step: StepMark | undefined;
  if (o.step !== undefined) {
    const r = parseStep(o.step);
    if (!r.ok) return r;
    step = r.value;
  }
  return { ok: true, value: { event: event as unknown as ModelEvent, expect, ...(expectViolation ? { expectViolation } : {}), ...(expectState ? { expectState } : {}), comment: o.comment as string | undefined, phase: o.phase as string | undefined, chain: o.chain as string | undefined, step } };
}

/** A line's `step`: {"at": n, "point": "...", "actor": {an actor's event line}}. */
function parseStep(raw: unknown): ParseResult<StepMark> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('step', `expected {"at", "point", "actor"}, got ${describe(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['at', 'point', 'actor'].includes(k)) return fail(`step.${k}`, 'unknown key');
  if (typeof o.at !== 'number' || !Number.isInteger(o.at) || o.at < 0 || o.at > U32_MAX) return fail('step.at', `expected a step point index (0, 1, ...), got ${describe(o.at)}`);
  if (typeof o.point !== 'string' || o.point.length > 200) return fail('step.point', `expected the step point's name, got ${describe(o.point)}`);
  if (o.actor === undefined) return { ok: true, value: { at: o.at, point: o.point } };
  const a = parseEventObject(o.actor);
  if (!a.ok) return fail(`step.actor.${a.problem.field}`, a.problem.reason);
  if (!ACTOR_EVENTS.has(a.value.event.type)) return fail('step.actor.type', `${a.value.event.type} cannot run inside another event (actors: ${[...ACTOR_EVENTS].join(', ')})`);
  if (a.value.step !== undefined) return fail('step.actor.step', 'an actor\'s event runs whole: it has no step of its own');
  return { ok: true, value: { at: o.at, point: o.point, actor: a.value.event, actorExpect: a.value.expect } };
}

/**
 * A line's `expectState` (log/state-expect.ts checks it): each part an object keyed by the log's
 * ids or by hex addresses, at most 64 keys each, so a line's checks stay bounded.
 */
type StateWant = { state?: string; errors?: { pec: number; addr: bigint }[] };

function stateObject(field: string, v: unknown): ParseResult<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(field, `expected an object, got ${describe(v)}`);
  if (Object.keys(v).length > 64) return fail(field, 'at most 64 keys');
  return { ok: true, value: v as Record<string, unknown> };
}

function stateCount(field: string, v: unknown): ParseResult<number> {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? { ok: true, value: v } : fail(field, `expected a non-negative integer, got ${describe(v)}`);
}

function stateFrame(field: string, v: unknown): ParseResult<number> {
  const r = parseU64(field, v);
  if (!r.ok) return r;
  return r.value <= BigInt(Number.MAX_SAFE_INTEGER) ? { ok: true, value: Number(r.value) } : fail(field, 'is not a frame number');
}

/** Each value of an object parsed by `each` (field, key, value), into a list of [key, result]. */
function eachEntry<T>(field: string, raw: unknown, each: (f: string, k: string, v: unknown) => ParseResult<T>): ParseResult<[string, T][]> {
  const o = stateObject(field, raw);
  if (!o.ok) return o;
  const out: [string, T][] = [];
  for (const [k, v] of Object.entries(o.value)) {
    const r = each(`${field}.${k}`, k, v);
    if (!r.ok) return r;
    out.push([k, r.value]);
  }
  return { ok: true, value: out };
}

function zpciWant(field: string, raw: unknown): ParseResult<StateWant> {
  const o = stateObject(field, raw);
  if (!o.ok) return o;
  const want: StateWant = {};
  for (const [k, val] of Object.entries(o.value)) {
    if (k === 'state') {
      if (typeof val !== 'string' || val.length > 32) return fail(`${field}.state`, `expected a zpci-function state name, got ${describe(val)}`);
      want.state = val;
      continue;
    }
    if (k !== 'errors') return fail(`${field}.${k}`, 'unknown key (state, errors)');
    if (!Array.isArray(val) || val.length > 64) return fail(`${field}.errors`, 'expected a list of at most 64 {"pec", "addr"}');
    want.errors = [];
    for (const [i, ev] of val.entries()) {
      const f = `${field}.errors[${i}]`;
      const eo = stateObject(f, ev);
      if (!eo.ok) return eo;
      const extra = Object.keys(eo.value).find((x) => x !== 'pec' && x !== 'addr');
      if (extra) return fail(`${f}.${extra}`, 'unknown key (pec, addr)');
      const pec = stateFrame(`${f}.pec`, eo.value.pec);
      if (!pec.ok) return pec;
      const addr = parseU64(`${f}.addr`, eo.value.addr);
      if (!addr.ok) return addr;
      want.errors.push({ pec: pec.value, addr: addr.value });
    }
  }
  return { ok: true, value: want };
}

function tableEntries(field: string, raw: unknown): ParseResult<Map<bigint, number | null>> {
  const r = eachEntry(field, raw, (f, iova, pfn): ParseResult<[bigint, number | null]> => {
    const a = parseU64(f, iova);
    if (!a.ok) return a;
    if (pfn === null) return { ok: true, value: [a.value, null] };
    const p = stateFrame(f, pfn);
    return p.ok ? { ok: true, value: [a.value, p.value] } : p;
  });
  return r.ok ? { ok: true, value: new Map(r.value.map(([, kv]) => kv)) } : r;
}

function parseExpectState(raw: unknown): ParseResult<ExpectState> {
  const top = stateObject('expectState', raw);
  if (!top.ok) return top;
  const out: { lockedVm?: Record<string, number>; pins?: Map<number, number>; entry?: Record<string, Map<bigint, number | null>>; zpci?: Record<string, StateWant> } = {};
  for (const [key, v] of Object.entries(top.value)) {
    const f = `expectState.${key}`;
    if (key === 'lockedVm') {
      const r = eachEntry(f, v, (g, _mm, n) => stateCount(g, n));
      if (!r.ok) return r;
      out.lockedVm = Object.fromEntries(r.value);
    } else if (key === 'pins') {
      const r = eachEntry(f, v, (g, pfn, n): ParseResult<[number, number]> => {
        const p = stateFrame(g, pfn);
        if (!p.ok) return p;
        const c = stateCount(g, n);
        return c.ok ? { ok: true, value: [p.value, c.value] } : c;
      });
      if (!r.ok) return r;
      out.pins = new Map(r.value.map(([, pc]) => pc));
    } else if (key === 'entry') {
      const r = eachEntry(f, v, (g, _c, m) => tableEntries(g, m));
      if (!r.ok) return r;
      out.entry = Object.fromEntries(r.value);
    } else if (key === 'zpci') {
      const r = eachEntry(f, v, (g, _d, z) => zpciWant(g, z));
      if (!r.ok) return r;
      out.zpci = Object.fromEntries(r.value);
    } else return fail(f, 'unknown key (lockedVm, pins, entry, zpci)');
  }
  return { ok: true, value: out };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${clip(v)}"`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
