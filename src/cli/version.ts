/** The package's version, read from its own package.json (the CLI layer: file I/O is allowed here). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The version in the package's own package.json (two levels up from src/cli, three from dist/src/cli). */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version: string };
    if (pkg.name === 'vfio-kvm-model') return pkg.version;
  }
  return 'unknown';
}
