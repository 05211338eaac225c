/** The s390 designs by name. Variants (the checker's seeded faults) are built from these by overriding a handler. */
import type { ZpciDesign } from './design.js';
import { pointsOf } from '../model/variant.js';
import type { World, ZpciFn } from '../model/world.js';
import { kvmShadowDesign } from './design-kvm-shadow.js';
import { userspaceDesign } from './design-userspace.js';

export const DESIGNS: Record<'userspace' | 'kvm-shadow', ZpciDesign> = {
  userspace: userspaceDesign,
  'kvm-shadow': kvmShadowDesign,
};

/** The handlers of a function's design in this world: the reference design with the variant's overrides. */
export function designOf(w: World, f: ZpciFn): ZpciDesign {
  const over = pointsOf(w).zpciDesigns?.[f.design];
  return over ? { ...DESIGNS[f.design], ...over } : DESIGNS[f.design];
}
