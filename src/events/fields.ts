/**
 * Field kinds of the event vocabulary and the TypeScript value each one parses to.
 * `ref` and `create` name an object kind: a `create` field introduces an id that later events
 * may reference; referencing an id that no earlier line introduced is an input error.
 */

/** Kinds of objects named by ids in a log. */
export type ObjectKind = 'mm' | 'vm' | 'container' | 'group' | 'device' | 'devfd' | 'kvmdev' | 'tcetable';

export type FieldSpec =
  | { readonly kind: 'u64'; readonly optional?: true; readonly default?: bigint }
  | { readonly kind: 'u32'; readonly default?: number }
  | { readonly kind: 'bytes' }
  /** A free-form name (a registered design), '' by default. */
  | { readonly kind: 'name'; readonly default?: string }
  /** A content hash, `sha256:` and 64 lower-case hex digits; absent when not given. */
  | { readonly kind: 'hash'; readonly optional: true }
  | { readonly kind: 'bool'; readonly default?: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly default?: string; readonly optional?: true }
  | { readonly kind: 'ref'; readonly object: ObjectKind }
  | { readonly kind: 'create'; readonly object: ObjectKind }
  /** Introduces the id on first use, references it afterwards (host groups are named by their devices). */
  | { readonly kind: 'declare'; readonly object: ObjectKind };

/** The parsed value type of a field spec. */
export type FieldValue<F> = F extends { kind: 'u64'; optional: true }
  ? bigint | undefined
  : F extends { kind: 'u64' }
    ? bigint
    : F extends { kind: 'u32' }
      ? number
      : F extends { kind: 'bytes' }
        ? Uint8Array
        : F extends { kind: 'name' }
          ? string
        : F extends { kind: 'hash' }
          ? string | undefined
        : F extends { kind: 'bool' }
          ? boolean
          : F extends { kind: 'enum'; values: readonly (infer V)[]; optional: true }
            ? V | undefined
          : F extends { kind: 'enum'; values: readonly (infer V)[] }
            ? V
            : string;

export const u64 = { kind: 'u64' } as const;
export const optU64 = { kind: 'u64', optional: true } as const;
export const u32 = { kind: 'u32' } as const;
export const bytes = { kind: 'bytes' } as const;
export const ref = <K extends ObjectKind>(object: K) => ({ kind: 'ref', object }) as const;
export const create = <K extends ObjectKind>(object: K) => ({ kind: 'create', object }) as const;

/** What the parser accepts, shared with the log's JSON Schema (json-schema.ts) so the two agree. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
export const HEX_U64 = /^0x[0-9a-fA-F]{1,16}$/;
export const HEX_ANY = /^0x[0-9a-fA-F]+$/;
export const NAME_PATTERN = /^[A-Za-z0-9_.:-]{0,64}$/;
export const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
export const CHAIN_PATTERN = /^[0-9a-f]{64}$/;
export const PHASE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** A line's keys beside its event's fields. */
export const META_FIELDS = ['type', 'expect', 'expectViolation', 'expectState', 'comment', 'chain', 'phase', 'step'] as const;
/** The events that may run inside another as an actor (a line's step.actor). */
export const ACTOR_EVENT_TYPES = ['device.dma.read', 'device.dma.write', 'host.mm.migrate', 'guest.mem.write'] as const;
