/**
 * A host process address space (struct mm_struct, reduced): anonymous VMAs in page units, the
 * page → frame map of touched pages, and the RLIMIT_MEMLOCK accounting of kernel-facts §5.2/§8.
 */

export interface Vma {
  readonly start: number;
  /** Exclusive end page. */
  readonly end: number;
}

export interface Mm {
  readonly id: string;
  /** Sorted, non-overlapping. */
  vmas: Vma[];
  /** Touched pages: virtual page number → pfn. */
  pages: Map<number, number>;
  /** mm->locked_vm in pages. */
  lockedVm: number;
  /** RLIMIT_MEMLOCK >> PAGE_SHIFT. */
  memlockPages: number;
  capIpcLock: boolean;
  /**
   * sPAPR preregistered memory (mm->context.iommu_group_mem_list): a process's, not a
   * container's. mm_iommu_do_alloc checks overlap against every region of the mm, and the VFIO
   * and KVM paths translate through this list whichever container registered the region.
   */
  iommuMem: MmIommuRegion[];
}

/** One preregistered region (struct mm_iommu_table_group_mem_t): pinned and charged once. */
export interface MmIommuRegion {
  readonly vaddrPage: number;
  readonly pages: number;
  readonly pfns: number[];
  /** mem->used: the containers referencing it (mm_iommu_get / mm_iommu_put). */
  used: number;
  /** mem->mapped: hardware TCEs pointing into it (the final put refuses while this is not 0). */
  mapped: number;
}

/** The VMA containing virtual page `page`, if any. */
export function findVma(mm: Mm, page: number): Vma | undefined {
  const v = mm.vmas;
  let lo = 0;
  let hi = v.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (v[mid].end <= page) lo = mid + 1;
    else if (v[mid].start > page) hi = mid - 1;
    else return v[mid];
  }
  return undefined;
}

/** Index of the first page in [start, start+count) that is not inside a VMA, or -1. */
export function firstUnmapped(mm: Mm, start: number, count: number): number {
  let p = start;
  const end = start + count;
  while (p < end) {
    const vma = findVma(mm, p);
    if (vma === undefined) return p - start;
    p = vma.end;
  }
  return -1;
}

/** True when [start, end) overlaps an existing VMA. */
export function overlapsVma(mm: Mm, start: number, end: number): boolean {
  return mm.vmas.some((v) => v.start < end && start < v.end);
}

/** Inserts a VMA, keeping the list sorted (caller checked for overlap). */
export function insertVma(mm: Mm, vma: Vma): void {
  const i = mm.vmas.findIndex((v) => v.start > vma.start);
  if (i < 0) mm.vmas.push(vma);
  else mm.vmas.splice(i, 0, vma);
}
