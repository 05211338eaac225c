/**
 * fast-check arbitraries derived from EVENT_SCHEMA, so every event type is generated without a
 * hand-written list: ids come from a small pool per object kind, numbers mix page-aligned values
 * near a valid setup with the 64-bit edges (0, 2^48, 2^53±1, 2^59, 2^64-1). The tests and the
 * fuzzer share them.
 */
import fc from 'fast-check';
import type { FieldSpec, ObjectKind } from '../events/fields.js';
import { EVENT_SCHEMA } from '../events/schema.js';
import { EVENT_TYPES, type EventType, type ModelEvent } from '../events/types.js';

/** Where the generated VMM memory lives. */
export const FUZZ_HVA = 0x7f00_0000_0000n;

export const ID_POOL: Record<ObjectKind, string[]> = {
  mm: ['qemu', 'other'],
  vm: ['vm0', 'vm1'],
  container: ['c0', 'c1'],
  group: ['g7', 'g9'],
  device: ['nic0', 'nic1', 'gpu0'],
  devfd: ['f0', 'f1', 'f2'],
  kvmdev: ['kv0', 'kv1'],
  tcetable: ['t0', 't1'],
};

export const EDGE_U64 = [0n, 1n << 48n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, 1n << 59n, (1n << 64n) - 1n, (1n << 64n) - 4096n];

const page = fc.integer({ min: 0, max: 40 }).map((p) => BigInt(p) << 12n);
const u64 = fc.oneof(
  { weight: 6, arbitrary: page },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }).map((p) => FUZZ_HVA + (BigInt(p) << 12n)) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_U64) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) },
);
const u32 = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(24, 31, 32, 0xffffffff), fc.nat());

function fieldArb(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case 'u64':
      return spec.optional ? fc.option(u64, { nil: undefined }) : u64;
    case 'u32':
      return u32;
    case 'bytes':
      return fc.uint8Array({ maxLength: 24 });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return spec.optional ? fc.option(fc.constantFrom(...spec.values), { nil: undefined }) : fc.constantFrom(...spec.values);
    case 'name':
      return fc.constant('');
    case 'hash':
      return fc.constant(undefined);
    default:
      return fc.constantFrom(...ID_POOL[spec.object]);
  }
}

export function eventArb(type: EventType): fc.Arbitrary<ModelEvent> {
  const specs = EVENT_SCHEMA[type] as Record<string, FieldSpec>;
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, spec] of Object.entries(specs)) rec[name] = fieldArb(spec);
  return fc.record(rec).map((fields) => ({ type, ...fields }) as unknown as ModelEvent);
}

/** Any event of any type. */
export const anyEvent: fc.Arbitrary<ModelEvent> = fc.oneof(...EVENT_TYPES.map(eventArb));
