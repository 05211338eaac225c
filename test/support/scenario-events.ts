/**
 * Events aimed at a scenario's world: every event type of the schema, its references drawn from
 * the ids the world holds (a log naming any other is refused before it runs), its numbers from those the scenario's own
 * choices use, their neighbours and the 64-bit edges. Random walks through a scenario's states
 * with these reach the refusals a kernel call can give far more often than blind events do.
 */
import fc from 'fast-check';
import type { FieldSpec, ObjectKind } from '../../src/events/fields.js';
import { EVENT_SCHEMA } from '../../src/events/schema.js';
import { EVENT_TYPES, type EventType, type ModelEvent } from '../../src/events/types.js';
import type { World } from '../../src/model/world.js';
import { EDGE_U64 } from './arbitraries.js';

const MAPS: Record<ObjectKind, keyof World> = {
  mm: 'mms', vm: 'vms', container: 'containers', group: 'groups', device: 'devices', devfd: 'devfds', kvmdev: 'kvmdevs', tcetable: 'tceTables',
};

/** The numbers a scenario's choices use, with their page neighbours. */
export function numbersOf(choices: readonly ModelEvent[]): { u64: bigint[]; u32: number[] } {
  const u64 = new Set<bigint>(EDGE_U64);
  const u32 = new Set<number>([0, 1, 3, 7, 11, 12, 16, 24, 31, 32, 0xffffffff]);
  for (const e of choices) {
    for (const v of Object.values(e)) {
      if (typeof v === 'bigint') for (const d of [0n, 0x1000n, -0x1000n, 1n, 8n]) if (v + d >= 0n && v + d < 1n << 64n) u64.add(v + d);
      if (typeof v === 'number') u32.add(v);
    }
  }
  return { u64: [...u64], u32: [...u32] };
}

function fieldArb(w: World, spec: FieldSpec, nums: { u64: bigint[]; u32: number[] }): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case 'u64':
      return spec.optional ? fc.option(fc.constantFrom(...nums.u64), { nil: undefined }) : fc.constantFrom(...nums.u64);
    case 'u32':
      return fc.constantFrom(...nums.u32);
    case 'bytes':
      return fc.uint8Array({ minLength: 1, maxLength: 16 });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return spec.optional ? fc.option(fc.constantFrom(...spec.values), { nil: undefined }) : fc.constantFrom(...spec.values);
    case 'name':
      return fc.constant(w.design);
    case 'hash':
      return fc.constant(undefined);
    default: {
      const ids = [...(w[MAPS[spec.object]] as Map<string, unknown>).keys()];
      return ids.length ? fc.constantFrom(...ids) : fc.constant('none-yet');
    }
  }
}

/** An event of `type` aimed at world `w`. */
export function aimedEvent(w: World, type: EventType, nums: { u64: bigint[]; u32: number[] }): fc.Arbitrary<ModelEvent> {
  const specs = EVENT_SCHEMA[type] as Record<string, FieldSpec>;
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, spec] of Object.entries(specs)) rec[name] = fieldArb(w, spec, nums);
  return fc.record(rec).map((fields) => ({ type, ...fields }) as unknown as ModelEvent);
}

/** Any event aimed at `w`, except booting it again. */
export function anyAimedEvent(w: World, nums: { u64: bigint[]; u32: number[] }): fc.Arbitrary<ModelEvent> {
  return fc.oneof(...EVENT_TYPES.filter((t) => t !== 'host.boot').map((t) => aimedEvent(w, t, nums)));
}
