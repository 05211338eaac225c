/** What a property is and what it reports. Properties are pure: no throws, no assertions. */
import type { WorldView } from './translations.js';

export interface Violation {
  readonly property: string;
  /** The broken fact, addresses in hex: "IOVA 0x2000 maps frame 0x41 whose pin count is 0". */
  readonly message: string;
}

export interface Property {
  /** Stable kebab-case id. */
  readonly name: string;
  readonly kind: 'invariant';
  readonly description: string;
  check(view: WorldView): Violation[];
}
