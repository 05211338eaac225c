/**
 * The shape every host IOMMU page-table format implements, so that type1, device DMA and the
 * properties never branch on the format: each format declares its own geometry and rules.
 */
import type { FramePool } from '../memory/frames.js';

export interface Translation {
  readonly pfn: number;
  readonly read: boolean;
  readonly write: boolean;
}

export interface Leaf {
  readonly iovaPage: number;
  readonly t: Translation;
}

export interface TableFormat {
  readonly name: 'vtd' | 's390';
  /** IOVA pages below this are inside the aperture. */
  readonly aperturePages: number;
  /** IOVA pages below this are reserved (not mappable). */
  readonly firstPage: number;
  /** Whether a mapping must allow reads (s390 entries cannot express write-only). */
  readonly requiresRead: boolean;
  /** Allocates an empty root table; returns its first frame. */
  newRoot(pool: FramePool, owner: string): number;
  translate(pool: FramePool, root: number, iovaPage: number): Translation | undefined;
  /** Installs a 4 KiB leaf; intermediate table frames are appended to `tables`. */
  map(pool: FramePool, root: number, iovaPage: number, pfn: number, read: boolean, write: boolean, owner: string, tables: number[]): void;
  unmap(pool: FramePool, root: number, iovaPage: number): void;
  /** Every usable leaf, read from the table bytes. */
  leaves(pool: FramePool, root: number): Leaf[];
  /** Frees the root and every intermediate table frame. */
  free(pool: FramePool, root: number, tables: readonly number[]): void;
}
