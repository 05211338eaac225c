/**
 * The design registry: a design is a complete set of ops tables with a name. The reference design
 * is registered first (src/designs/); every other design derives from a registered one by
 * replacing single ops, and each replacement receives the op it replaces so it can wrap it, the
 * way a driver wraps a generic helper. Mistakes are refused at registration with the valid names
 * listed: an unknown table, op or base design, a duplicate name, an override that is not a function.
 *
 * A world names its design (host.boot); `opsOf(w)` is how every op reaches the others, so a
 * replaced op is seen by all its callers.
 */
import { ARCHES, type Arch } from '../events/arch.js';
import { MACHINES, type MachineName } from '../../machines/index.js';
import { DesignError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { currentOrigin, type ModuleOrigin } from './origin.js';
import { traceOp, tracing } from './steps.js';
import type { Ops, TableName } from './types.js';
import type { World } from '../model/world.js';

/** Replaces one op: receives the base design's op (to wrap or ignore) and the base design's tables. */
export type OpOverride<F> = (base: F, baseOps: Ops) => F;

/** The ops a variant replaces, by table and op name. */
export type OpsOverrides = { readonly [T in TableName]?: { readonly [O in keyof Ops[T]]?: OpOverride<Ops[T][O]> } };

/** Configuration a design implies where a log leaves it open (the kernel's build-time choices). */
export interface DesignConfig {
  /** The RPCIT design of a zPCI function plugged without one. */
  readonly zpci?: 'userspace' | 'kvm-shadow';
  /** How devices learn their kvm when host.boot does not say. */
  readonly kvmAssociation?: 'open' | 'notifier';
  /** The architectures the design exists on (every one when omitted): host.boot elsewhere is EINVAL. */
  readonly arch?: readonly Arch[];
}

/** What a machine action a design provides is told: the object it ran on, and the transition. */
export interface MachineActionContext {
  /** The object's id: a TCE table, a frame number, a domain, a device. */
  readonly subject: string;
  readonly from: string;
  readonly event: string;
  readonly to: string;
}

/** A machine action a design provides: more work where the machine names the action, after the reference's. */
export type MachineAction = (w: World, x: MachineActionContext) => void;

/**
 * A machine's guards and actions a design replaces (XState's `provide`), by machine and name. A
 * guard is a design choice the machine states (see each machine's file): it takes no arguments
 * that vary, so it returns the same answer in every state. An action runs each time a transition
 * naming it is taken (never on a refusal), after the ops the reference runs there.
 */
export type MachineOverrides = {
  readonly [M in MachineName]?: { readonly guards?: Readonly<Record<string, () => boolean>>; readonly actions?: Readonly<Record<string, MachineAction>> };
};

export interface DesignSpec {
  /** Lower-case kebab-case, unique. */
  readonly name: string;
  readonly description: string;
  /** The design this one derives from; 'reference' when omitted. */
  readonly base?: string;
  readonly ops?: OpsOverrides;
  /** Guards and actions of lifecycle machines this design replaces; its base's stand unless replaced again. */
  readonly machines?: MachineOverrides;
  readonly config?: DesignConfig;
}

export interface Design {
  readonly name: string;
  readonly description: string;
  /** undefined only for the reference design. */
  readonly base: string | undefined;
  /** The complete, frozen tables. */
  readonly ops: Readonly<Ops>;
  readonly config: Required<DesignConfig>;
  /** Machine guards and actions this design and its bases replaced. */
  readonly machines: MachineOverrides;
  /** `table.op` of every op this design replaced, its bases' included (and `machine:guard` of every guard). */
  readonly replaced: readonly string[];
  /** The user module that registered it (`--load`), undefined for built-in designs. */
  readonly origin?: ModuleOrigin;
}


export { DesignError };
export const REFERENCE = 'reference';
const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const DESIGNS = new Map<string, Design>();

/** Registers the reference design's tables (src/designs/reference.ts does, once). */
export function registerReference(description: string, tables: Ops): Design {
  if (DESIGNS.has(REFERENCE)) throw new DesignError('the reference design is already registered');
  const ops = Object.freeze(Object.fromEntries(Object.entries(tables).map(([t, table]) => [t, Object.freeze({ ...table })]))) as unknown as Ops;
  const d: Design = { name: REFERENCE, description, base: undefined, ops, config: { zpci: 'userspace', kvmAssociation: 'open', arch: ARCHES }, machines: {}, replaced: [] };
  DESIGNS.set(REFERENCE, d);
  return d;
}

const list = (names: Iterable<string>) => [...names].join(', ');

/** Checks a spec against the registry; returns the resolved base or throws DesignError. */
function validate(spec: DesignSpec): Design {
  if (typeof spec?.name !== 'string' || !NAME.test(spec.name)) {
    throw new DesignError(`design name ${JSON.stringify(spec?.name)} must be lower-case kebab-case (a-z, 0-9, -), at most 64 characters`);
  }
  if (DESIGNS.has(spec.name)) throw new DesignError(`design "${spec.name}" is already registered`);
  if (typeof spec.description !== 'string' || spec.description.length === 0) throw new DesignError(`design "${spec.name}" needs a description`);
  const baseName = spec.base ?? REFERENCE;
  const base = DESIGNS.get(baseName);
  if (!base) throw new DesignError(`design "${spec.name}": unknown base design "${baseName}" (designs: ${list(DESIGNS.keys())})`);
  for (const [t, table] of Object.entries(spec.ops ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(base.ops, t)) {
      throw new DesignError(`design "${spec.name}": unknown ops table "${t}" (tables: ${list(Object.keys(base.ops))})`);
    }
    const known = base.ops[t as TableName] as unknown as Record<string, unknown>;
    for (const [op, fn] of Object.entries(table ?? {})) {
      if (!Object.prototype.hasOwnProperty.call(known, op)) throw new DesignError(`design "${spec.name}": unknown op "${t}.${op}" (ops of ${t}: ${list(Object.keys(known))})`);
      if (typeof fn !== 'function') throw new DesignError(`design "${spec.name}": ${t}.${op} must be a function (base) => op`);
    }
  }
  for (const [m, o] of Object.entries(spec.machines ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(MACHINES, m)) throw new DesignError(`design "${spec.name}": unknown machine "${m}" (machines: ${list(Object.keys(MACHINES))})`);
    const impl = MACHINES[m as MachineName].implementations;
    const known = Object.keys(impl.guards);
    const actions = Object.keys(impl.actions).filter((a) => a !== 'refuse');
    for (const k of Object.keys(o ?? {})) if (k !== 'guards' && k !== 'actions') throw new DesignError(`design "${spec.name}": machine ${m} takes guards and actions, not "${k}"`);
    for (const [g, fn] of Object.entries(o?.guards ?? {})) {
      if (!known.includes(g)) throw new DesignError(`design "${spec.name}": unknown guard "${g}" of machine ${m} (guards: ${known.length ? list(known) : 'none'})`);
      if (typeof fn !== 'function') throw new DesignError(`design "${spec.name}": guard ${m}.${g} must be a function () => boolean`);
    }
    for (const [a, fn] of Object.entries(o?.actions ?? {})) {
      if (!actions.includes(a)) throw new DesignError(`design "${spec.name}": unknown action "${a}" of machine ${m} (actions: ${actions.length ? list(actions) : 'none'})`);
      if (typeof fn !== 'function') throw new DesignError(`design "${spec.name}": action ${m}.${a} must be a function (w, { subject, from, event, to }) => void`);
    }
  }
  for (const k of Object.keys(spec.config ?? {})) if (k !== 'zpci' && k !== 'kvmAssociation' && k !== 'arch') throw new DesignError(`design "${spec.name}": unknown config "${k}" (config: zpci, kvmAssociation, arch)`);
  const arch = spec.config?.arch;
  if (arch !== undefined && (!Array.isArray(arch) || arch.length === 0 || arch.some((a) => !ARCHES.includes(a)))) {
    throw new DesignError(`design "${spec.name}": config.arch must be a non-empty list of ${ARCHES.join(', ')}`);
  }
  return base;
}

/**
 * Registers a design derived from `spec.base` (the reference when omitted). Each override is
 * called once, now, with the op it replaces; what it returns becomes the op.
 *
 * @example
 * registerDesign({
 *   name: 'unmap-after-unpin',
 *   description: 'type1 unpins a vfio_dma before removing its translations',
 *   ops: { vfio_iommu_type1: { unmap_unpin: () => (w, t1, dma) => { ... } } },
 * });
 */
export function registerDesign(spec: DesignSpec): Design {
  const base = validate(spec);
  const tables: Record<string, Record<string, unknown>> = {};
  const replaced = new Set(base.replaced);
  for (const [t, table] of Object.entries(base.ops)) tables[t] = { ...table };
  for (const [t, table] of Object.entries(spec.ops ?? {})) {
    for (const [op, make] of Object.entries(table ?? {})) {
      const baseOp = (base.ops[t as TableName] as unknown as Record<string, unknown>)[op];
      const made = (make as OpOverride<unknown>)(baseOp, base.ops);
      if (typeof made !== 'function') throw new DesignError(`design "${spec.name}": the override of ${t}.${op} returned ${typeof made}, not a function`);
      tables[t][op] = made;
      replaced.add(`${t}.${op}`);
    }
  }
  const ops = Object.freeze(Object.fromEntries(Object.entries(tables).map(([t, table]) => [t, Object.freeze(table)]))) as unknown as Ops;
  const machines: Record<string, { guards?: Record<string, () => boolean>; actions?: Record<string, MachineAction> }> = {};
  const merge = (m: string, o: { guards?: object; actions?: object } | undefined) => {
    const guards = { ...machines[m]?.guards, ...o?.guards };
    const actions = { ...machines[m]?.actions, ...o?.actions };
    machines[m] = { ...(Object.keys(guards).length ? { guards } : {}), ...(Object.keys(actions).length ? { actions } : {}) };
  };
  for (const [m, o] of Object.entries(base.machines)) merge(m, o);
  for (const [m, o] of Object.entries(spec.machines ?? {})) {
    merge(m, o);
    for (const g of Object.keys(o?.guards ?? {})) replaced.add(`machine ${m}.${g}`);
    for (const a of Object.keys(o?.actions ?? {})) replaced.add(`machine ${m}.${a}`);
  }
  const d: Design = {
    name: spec.name,
    description: spec.description,
    base: base.name,
    ops,
    config: { ...base.config, ...spec.config },
    machines: Object.freeze(machines),
    replaced: [...replaced].sort(),
    origin: currentOrigin(),
  };
  DESIGNS.set(d.name, d);
  return d;
}

/** A design by name ('' is the reference), or undefined. */
export function designNamed(name: string): Design | undefined {
  return DESIGNS.get(name === '' ? REFERENCE : name);
}

/** A design by name, or a DesignError listing every registered design. */
export function requireDesign(name: string): Design {
  const d = designNamed(name);
  if (!d) throw new DesignError(`unknown design "${name}"${didYouMean(name, DESIGNS.keys())} (designs: ${list(DESIGNS.keys())})`);
  return d;
}

/** Every registered design's name, in registration order. */
export function designNames(): string[] {
  return [...DESIGNS.keys()];
}

let lastName: string | undefined;
let lastDesign: Design | undefined;
const TRACED = new WeakMap<Design, Ops>();

/** A design's tables with every op wrapped to name the step points inside it (see steps.ts). */
function traced(d: Design): Ops {
  let t = TRACED.get(d);
  if (!t) {
    const tables = Object.entries(d.ops).map(([name, table]) => [name, Object.freeze(Object.fromEntries(Object.entries(table).map(([op, fn]) => [op, traceOp(name as TableName, op, fn as never)])))]);
    TRACED.set(d, (t = Object.freeze(Object.fromEntries(tables)) as unknown as Ops));
  }
  return t;
}

/** The ops tables in force in a world: those of the design its host.boot named. */
export function opsOf(w: { readonly design: string }): Ops {
  // one design per run in practice: remembering the last lookup keeps this off the profile.
  if (w.design !== lastName) {
    lastDesign = requireDesign(w.design);
    lastName = w.design;
  }
  return tracing ? traced(lastDesign!) : lastDesign!.ops;
}

/** The design in force in a world. */
export function designOf(w: { readonly design: string }): Design {
  return requireDesign(w.design);
}
