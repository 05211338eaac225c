/** Event types derived from EVENT_SCHEMA: one discriminated union on `type`. */
import type { FieldValue } from './fields.js';
import { EVENT_SCHEMA } from './schema.js';

export type EventSchema = typeof EVENT_SCHEMA;
export type EventType = keyof EventSchema;

/** One event of type K, with every field parsed and defaults filled in. */
export type EventOf<K extends EventType> = { readonly type: K } & {
  readonly [P in keyof EventSchema[K]]: FieldValue<EventSchema[K][P]>;
};

/** The union of all events. */
export type ModelEvent = { [K in EventType]: EventOf<K> }[EventType];

/** Every event type, in declaration order. */
export const EVENT_TYPES = Object.keys(EVENT_SCHEMA) as EventType[];

/**
 * What a line may assert about the state after its event: processes' locked_vm (pages), frames'
 * pin counts, the entry a container's IOMMU table holds at a bus address (a frame, or null for
 * none), and zPCI functions' machine state and queued error events.
 */
export interface ExpectState {
  readonly lockedVm?: Readonly<Record<string, number>>;
  readonly pins?: ReadonlyMap<number, number>;
  readonly entry?: Readonly<Record<string, ReadonlyMap<bigint, number | null>>>;
  readonly zpci?: Readonly<Record<string, { readonly state?: string; readonly errors?: readonly { readonly pec: number; readonly addr: bigint }[] }>>;
}

/** An expectation attached to a log line: the outcome code and, for reads, the bytes. */
export interface Expectation {
  readonly code: string;
  readonly data?: Uint8Array;
  readonly value?: bigint;
}

/**
 * Where an event was interrupted by an actor's event, or where a property failed inside it: a log
 * line's `step` field. Step points are counted from 0 in the order the event reaches them.
 */
export interface StepMark {
  /** The step point's index in the event. */
  readonly at: number;
  /** Its name ("iommu.unmap_pages: table-write"): a replay under another design is told apart. */
  readonly point: string;
  /** The actor's event that ran there (a device DMA, a host migration, another vCPU's write), if any. */
  readonly actor?: ModelEvent;
  /** The outcome its author expects of the actor's event. */
  readonly actorExpect?: Expectation;
}

/** A parsed log line: the event plus where it came from and what its author expects. */
export interface LogEntry {
  readonly event: ModelEvent;
  readonly line: number;
  readonly expect?: Expectation;
  /** Properties this event is expected to violate: replay checks they are, and carries on past them. */
  readonly expectViolation?: readonly string[];
  /** Facts about the state after the event (log/state-expect.ts). */
  readonly expectState?: ExpectState;
  /** The event runs interrupted at a step point (or is checked there). */
  readonly step?: StepMark;
  readonly comment?: string;
  /** Starts a named phase (see ParsedLine.phase). */
  readonly phase?: string;
  readonly chain?: string;
}

type Defaulted<F> = F extends { default: unknown } ? true : F extends { optional: true } ? true : false;

/** The fields a caller must give to build an event of type K: those with defaults are optional. */
export type EventInput<K extends EventType> = {
  readonly [P in keyof EventSchema[K] as Defaulted<EventSchema[K][P]> extends true ? never : P]: FieldValue<EventSchema[K][P]>;
} & {
  readonly [P in keyof EventSchema[K] as Defaulted<EventSchema[K][P]> extends true ? P : never]?: FieldValue<EventSchema[K][P]>;
};

/** Builds an event, filling schema defaults; the constructor every test and generator uses. */
export function ev<K extends EventType>(type: K, fields: EventInput<K>): EventOf<K> {
  const out: Record<string, unknown> = { type };
  const specs = EVENT_SCHEMA[type] as Record<string, { default?: unknown }>;
  for (const name of Object.keys(specs)) {
    const given = (fields as Record<string, unknown>)[name];
    out[name] = given !== undefined ? given : specs[name].default;
  }
  return out as EventOf<K>;
}
