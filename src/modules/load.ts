/**
 * Importing a user module (`--load FILE`): it registers designs, faults, scenarios and properties
 * through the public API, either by importing 'vfio-kvm-model' itself or by exporting a default
 * function that receives the API. What it registers remembers the module's path and hash. The CLI
 * and each worker thread load the same modules in the same order.
 */
import * as api from '../index.js';
import { setLoadingModule, type LoadedModule } from '../ops/origin.js';

/** The public API as a default-export function receives it: `export default (vkm) => { vkm.registerDesign(...) }`. */
export type VkmApi = typeof api;

/** Imports one module (by URL), recording what it registers against its origin; rethrows its errors. */
export async function importUserModule(m: LoadedModule): Promise<void> {
  setLoadingModule(m);
  try {
    const mod = (await import(m.url)) as { default?: unknown };
    if (typeof mod.default === 'function') await (mod.default as (vkm: VkmApi) => unknown)(api);
  } finally {
    setLoadingModule(undefined);
  }
}
