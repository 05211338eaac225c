/**
 * The designs a log's host.boot lines name must be registered before it is replayed: replaying a
 * counterexample of a user's design without the module that registers it would otherwise run the
 * reference design's ops and answer a cascade of refusals. Pure: reads the registry only.
 */
import { InputError } from '../errors.js';
import type { LogEntry } from '../events/types.js';
import { designNamed, designNames } from '../ops/registry.js';

export interface DesignCheck {
  /** The first host.boot naming a design that is not registered. */
  readonly error?: InputError;
  /** A module recorded in the log that differs from the one that registered the design now. */
  readonly warnings: string[];
}

export function checkLogDesigns(entries: readonly LogEntry[], file: string): DesignCheck {
  const warnings: string[] = [];
  for (const entry of entries) {
    const e = entry.event;
    if (e.type !== 'host.boot') continue;
    const d = designNamed(e.design);
    if (!d) {
      const from = e.module ? `, registered by a module with hash ${e.module}; pass that module with --load` : '; pass the module that registers it with --load';
      return { error: new InputError({ file, line: entry.line, field: 'design' }, `unknown design "${e.design}"${from} (designs: ${designNames().join(', ')})`), warnings };
    }
    const now = d.origin?.hash;
    if (e.module !== undefined && e.module !== now) {
      warnings.push(
        now === undefined
          ? `${file}:${entry.line}: design "${d.name}" was written by a module with hash ${e.module}, but the design is built in now`
          : `${file}:${entry.line}: design "${d.name}" was written by ${e.module}, but ${d.origin!.path} is ${now} now (the module changed since)`,
      );
    }
  }
  return { warnings };
}
