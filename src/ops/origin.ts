/**
 * Which user module is being loaded, so that what it registers (designs, scenarios, properties)
 * remembers where it came from. A counterexample found under a loaded design names the module's
 * content hash, and a replay warns when the module changed since. Worker threads import the same
 * modules, in the same order, before they build anything.
 */

/** A user module: its path as given and the sha256 of its bytes. */
export interface ModuleOrigin {
  readonly path: string;
  /** `sha256:<hex>` of the module file. */
  readonly hash: string;
}

/** A module as imported: where it came from, and the URL it was imported by. */
export interface LoadedModule extends ModuleOrigin {
  readonly url: string;
}

let loading: ModuleOrigin | undefined;
const LOADED: LoadedModule[] = [];

/** Marks the start (an origin) or end (undefined) of a module's evaluation; the loader brackets each import with it. */
export function setLoadingModule(origin: LoadedModule | undefined): void {
  loading = origin;
  if (origin && !LOADED.some((m) => m.url === origin.url)) LOADED.push(origin);
}

/** The module being loaded now, if any. */
export function currentOrigin(): ModuleOrigin | undefined {
  return loading && { path: loading.path, hash: loading.hash };
}

/** Every module loaded so far, in order. */
export function loadedModules(): readonly LoadedModule[] {
  return LOADED;
}
