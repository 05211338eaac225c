/**
 * `--load FILE`: reads a user module's bytes (for its hash), then imports it. A module that cannot
 * be read or imported, or whose registrations are refused, is a usage error naming the file.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DesignError, UsageError } from '../errors.js';
import { importUserModule } from '../modules/load.js';
import type { Io } from './io.js';

/** `sha256:<hex>` of a module's text. */
export function moduleHash(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function loadModules(files: readonly string[], io: Io): Promise<void> {
  for (const path of files) {
    const hash = moduleHash(io.readFile(path));
    try {
      await importUserModule({ path, hash, url: pathToFileURL(resolve(path)).href });
    } catch (err) {
      if (err instanceof DesignError) throw new UsageError(`${path}: ${err.message}`);
      throw new UsageError(`cannot load ${path}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
