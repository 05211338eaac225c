/** The s390 designs by name. Variants (the checker's seeded faults) are built from these by overriding a handler. */
import type { ZpciDesign } from './design.js';
import { kvmShadowDesign } from './design-kvm-shadow.js';
import { userspaceDesign } from './design-userspace.js';

export const DESIGNS: Record<'userspace' | 'kvm-shadow', ZpciDesign> = {
  userspace: userspaceDesign,
  'kvm-shadow': kvmShadowDesign,
};
