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
