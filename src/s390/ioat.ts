/** Registering and deregistering a function's IOAT, shared by MPCIFC, CLP disable and teardown. */
import type { Outcome } from '../model/outcome.js';
import type { Vm, World, ZpciFn } from '../model/world.js';
import { designOf } from './designs.js';

export function registerIoat(w: World, vm: Vm, f: ZpciFn, ioat: NonNullable<ZpciFn['ioat']>): Outcome | undefined {
  f.ioat = ioat;
  const refusal = designOf(w, f).registerIoat(w, vm, f);
  if (refusal) f.ioat = undefined;
  return refusal;
}

export function deregisterIoat(w: World, vm: Vm, f: ZpciFn): void {
  designOf(w, f).deregisterIoat(w, vm, f);
  f.ioat = undefined;
}
