/**
 * The VFIO sPAPR TCE v2 container (drivers/vfio/vfio_iommu_spapr_tce.c, kernel-facts §7.6):
 * memory preregistration (pinned and charged), up to two DMA windows (the default 32-bit one at bus
 * 0, created lazily; a dynamic one at 1 << 59), and MAP/UNMAP through the preregistered memory into
 * hardware TCE tables held in host frames and shared by every group of the container. Each group
 * caches TCEs; the container's kill invalidates every group's cache.
 */
import type { EventOf } from '../events/types.js';
import { lazyFree, lazyGet, lazyNonZero, lazyPut } from '../memory/lazy-array.js';
import { pageOf } from '../memory/constants.js';
import type { Mm } from '../memory/mm.js';
import { mmRegionAt, regionHolding, registerMemory, releasePrereg, unregisterMemory } from './prereg.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import { canCharge } from '../mm/pages.js';
import type { Container, Group, SpaprIommu, SpaprWindow, World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { SpaprTceOps } from '../ops/types.js';
import { HW_TCE_ENDIAN as HW_ENDIAN, TCE_PCI_READ, TCE_PCI_WRITE, tablePages } from './layout.js';
import { TABLES } from '../../machines/index.js';
import { stepPoint } from '../ops/steps.js';
import { hardwareTceOwner } from '../memory/owners.js';

/** The default 32-bit window: 1 GiB of 4 KiB pages at bus offset 0 (QEMU's dma_win_size). */
const DEFAULT_WINDOW_SIZE = 1n << 30n;
/** Where the platform places each window slot: the default at 0, the dynamic one at 1 << 59. */
const WINDOW_START = [0n, 1n << 59n];
/** IOMMU page sizes the PHB supports (table_group->pgsizes): 4 KiB and 64 KiB. */
const PGSIZES = new Set([12, 16]);
const CONTAINER = TABLES['vfio-container'];
const DOMAIN = TABLES['iommu-domain'];


/** The container's sPAPR instance for an ioctl, or the refusal. */
function spaprOf(w: World, id: string): { c: Container; s: SpaprIommu } | Outcome {
  const c = w.containers.get(id);
  if (!c) return refused('EBADF');
  const st = CONTAINER.step(c.lc, 'IOMMU_IOCTL');
  if (st.code) return refused(st.code);
  if (!c.spapr) return refused('ENOTTY');
  return { c, s: c.spapr };
}

/** tce_iommu_create_table + set_window: charges the table, places it in slot `num`. */
function createWindow(w: World, c: Container, s: SpaprIommu, num: number, pageShift: number, windowSize: bigint): Outcome | SpaprWindow {
  const pages = tablePages(pageShift, windowSize);
  if (pages === 0) return refused('EINVAL');
  const mm = w.mms.get(c.mm)!;
  if (!canCharge(mm, pages, mm.capIpcLock)) return refused('ENOMEM');
  opsOf(w).mm.account_locked_vm(w, mm, pages);
  const win: SpaprWindow = { start: WINDOW_START[num], pageShift, entries: windowSize >> BigInt(pageShift), charged: pages, frames: new Map() };
  s.windows[num] = win;
  return win;
}

/**
 * tce_iommu_create_default_window: the pending default window, when there is one.
 * The kernel runs this before it looks up the IOVA, so a MAP or UNMAP later refused
 * (ENXIO, EINVAL) still leaves the default window created: the one refusal here that
 * changes state, kept because the kernel does it.
 */
function ensureDefaultWindow(w: World, c: Container, s: SpaprIommu): Outcome | undefined {
  if (!s.defaultPending) return undefined;
  const r = createWindow(w, c, s, 0, 12, DEFAULT_WINDOW_SIZE);
  if ('code' in r) return r;
  s.defaultPending = false;
  return undefined;
}

function tceCreate(w: World, e: EventOf<'vmm.vfio.spapr.tce_create'>): Outcome {
  const got = spaprOf(w, e.container);
  if ('code' in got) return got;
  const { c, s } = got;
  if (e.flags !== 0) return refused('EINVAL');
  if (c.groups.length === 0) return refused('ENXIO');
  const pending = ensureDefaultWindow(w, c, s);
  if (pending) return pending;
  const num = s.windows.findIndex((x) => x === null);
  if (num < 0) return refused('ENOSPC');
  if (!PGSIZES.has(e.pageShift)) return refused('EINVAL');
  const r = createWindow(w, c, s, num, e.pageShift, e.windowSize);
  return 'code' in r ? r : { code: 'OK', value: r.start };
}

function tceRemove(w: World, e: EventOf<'vmm.vfio.spapr.tce_remove'>): Outcome {
  const got = spaprOf(w, e.container);
  if ('code' in got) return got;
  const { c, s } = got;
  if (e.flags !== 0) return refused('EINVAL');
  // removing the default window before it exists just cancels it.
  if (e.startAddr === 0n && s.defaultPending) {
    s.defaultPending = false;
    return OK;
  }
  // tce_iommu_find_table: the window whose entries cover the bus address, not only its start.
  const win = windowFor(s, e.startAddr);
  if (!win) return refused('EINVAL');
  const num = s.windows.indexOf(win);
  removeWindow(w, c, s, num);
  return OK;
}

function removeWindow(w: World, c: Container, s: SpaprIommu, num: number): void {
  const win = s.windows[num]!;
  clearEntries(w, c, s, win, 0n, win.entries);
  lazyFree(w.frames, win.frames);
  stepPoint('frame-free');
  const mm = w.mms.get(c.mm);
  if (mm) opsOf(w).mm.account_locked_vm(w, mm, -win.charged);
  s.windows[num] = null;
}

function registerMemoryOp(w: World, e: EventOf<'vmm.vfio.spapr.register_memory'>): Outcome {
  const got = spaprOf(w, e.container);
  return 'code' in got ? got : registerMemory(w, got.c, got.s, e);
}

function unregisterMemoryOp(w: World, e: EventOf<'vmm.vfio.spapr.unregister_memory'>): Outcome {
  const got = spaprOf(w, e.container);
  return 'code' in got ? got : unregisterMemory(w, got.c, got.s, e);
}

/** The window covering [iova, iova + size), or undefined. */
function windowFor(s: SpaprIommu, iova: bigint): SpaprWindow | undefined {
  return s.windows.find((x): x is SpaprWindow => x !== null && iova >= x.start && iova < x.start + (x.entries << BigInt(x.pageShift)));
}

/** Invalidates cached TCEs for IOBA pages [first, first + count) in every group of the container. */
function killCaches(w: World, c: Container, firstIobaPage: number, count: number): void {
  opsOf(w).vfio_iommu_spapr_tce.tce_kill(w, c.groups, firstIobaPage, count);
}

/** iommu_tce_kill: cached TCEs for IOBA pages [first, first + count) in the given groups. */
function killGroupCaches(w: World, groups: readonly string[], firstIobaPage: number, count: number): void {
  for (const gid of groups) {
    const g = w.groups.get(gid);
    if (!g) continue;
    for (const k of [...g.tceCache.keys()]) if (k >= firstIobaPage && k < firstIobaPage + count) g.tceCache.delete(k);
  }
  w.stats.iotlbFlushes++;
}

/** Clears hardware entries [first, first + count) of a window, releasing their regions' mapped counts. */
function clearEntries(w: World, c: Container, s: SpaprIommu, win: SpaprWindow, first: bigint, count: bigint): void {
  opsOf(w).vfio_iommu_spapr_tce.clear_entries(w, s, win, first, count);
  const shift = BigInt(win.pageShift);
  killCaches(w, c, pageOf(win.start + (first << shift)), Number((count << shift) >> 12n));
}

/** Clears hardware entries [first, first + count) without killing any cache: the caller decides whose. */
function hwClearRange(w: World, s: SpaprIommu, win: SpaprWindow, first: bigint, count: bigint): void {
  for (const idx of lazyNonZero(w.frames, win.frames, first, count, HW_ENDIAN)) {
    releaseEntry(w, lazyGet(w.frames, win.frames, idx, HW_ENDIAN));
    lazyPut(w.frames, win.frames, idx, 0n, HW_ENDIAN, '');
    stepPoint('table-write');
  }
}

/** The region owning the frame an entry maps: its mapped count goes down by one. */
function releaseEntry(w: World, entry: bigint): void {
  const r = regionHolding(w, Number(entry >> 12n));
  if (r) r.mapped--;
}

/** MAP/UNMAP's common checks, in the kernel's order: enabled, the argument struct, the pending default window, a window at `iova`. */
function dmaWindow(w: World, id: string, iova: bigint, argsOk: boolean): { c: Container; s: SpaprIommu; win: SpaprWindow } | Outcome {
  const got = spaprOf(w, id);
  if ('code' in got) return got;
  const { c, s } = got;
  if (!s.enabled) return refused('EPERM');
  if (!argsOk) return refused('EINVAL');
  const pending = ensureDefaultWindow(w, c, s);
  if (pending) return pending;
  const win = windowFor(s, iova);
  return win ? { c, s, win } : refused('ENXIO');
}

function spaprMap(w: World, e: EventOf<'vmm.vfio.dma.map'>): Outcome {
  const got = dmaWindow(w, e.container, e.iova, e.argsz >= 32 && (e.flags & ~3) === 0);
  if ('code' in got) return got;
  const { c, win } = got;
  const mm = w.mms.get(c.mm)!;
  const shift = BigInt(win.pageShift);
  const mask = (1n << shift) - 1n;
  if ((e.size & mask) !== 0n || (e.vaddr & mask) !== 0n) return refused('EINVAL');
  const perm = (e.flags & 1 ? TCE_PCI_READ : 0n) | (e.flags & 2 ? TCE_PCI_WRITE : 0n);
  if (perm === 0n) return refused('EINVAL');
  // iommu_tce_put_param_check: aligned IOVA, the whole range inside the window.
  if ((e.iova & mask) !== 0n || e.iova + e.size > win.start + (win.entries << shift)) return refused('EINVAL');
  // tce_iommu_build_v2 resolves every page through the preregistered memory before writing any.
  const frames: number[] = [];
  for (let off = 0n; off < e.size; off += 1n << shift) {
    const at = mmRegionAt(mm, pageOf(e.vaddr + off));
    if (!at) return refused('EINVAL');
    // a region of 4 KiB pages cannot back a larger IOMMU page (mm_iommu_ua_to_hpa).
    if (win.pageShift > 12) return refused('EFAULT');
    frames.push(at.region.pfns[at.index]);
  }
  const first = (e.iova - win.start) >> shift;
  frames.forEach((pfn, i) => {
    const idx = Number(first) + i;
    const old = lazyGet(w.frames, win.frames, idx, HW_ENDIAN);
    if (old !== 0n) releaseEntry(w, old);
    lazyPut(w.frames, win.frames, idx, (BigInt(pfn) << 12n) | perm, HW_ENDIAN, hardwareTceOwner(c.id));
    regionHolding(w, pfn)!.mapped++;
    stepPoint('table-write');
  });
  killCaches(w, c, pageOf(e.iova), Number(e.size >> 12n));
  return OK;
}

function spaprUnmap(w: World, e: EventOf<'vmm.vfio.dma.unmap'>): Outcome {
  const got = dmaWindow(w, e.container, e.iova, e.argsz >= 24 && e.flags === 0);
  if ('code' in got) return got;
  const { c, s, win } = got;
  const shift = BigInt(win.pageShift);
  const mask = (1n << shift) - 1n;
  if ((e.size & mask) !== 0n || (e.iova & mask) !== 0n || e.iova + e.size > win.start + (win.entries << shift)) return refused('EINVAL');
  clearEntries(w, c, s, win, (e.iova - win.start) >> shift, e.size >> shift);
  return OK;
}

/** Device DMA through its group: the group's TCE cache, else the container's hardware table (filling the cache). */
export function spaprTranslate(w: World, c: Container, groupId: string, iobaPage: number): { pfn: number; read: boolean; write: boolean; fill: boolean } | undefined {
  const g = w.groups.get(groupId)!;
  const hit = g.tceCache.get(iobaPage);
  if (hit) return { ...hit, fill: false };
  const s = c.spapr!;
  const iova = BigInt(iobaPage) << 12n;
  const win = windowFor(s, iova);
  if (!win) return undefined;
  const idx = Number((iova - win.start) >> BigInt(win.pageShift));
  const entry = lazyGet(w.frames, win.frames, idx, HW_ENDIAN);
  if (entry === 0n) return undefined;
  return { pfn: Number(entry >> 12n), read: (entry & TCE_PCI_READ) !== 0n, write: (entry & TCE_PCI_WRITE) !== 0n, fill: true };
}

/** tce_iommu_release: every window and preregistered region goes when the last group leaves. */
function releaseSpapr(w: World, c: Container): void {
  const s = c.spapr;
  if (!s) return;
  s.windows.forEach((win, num) => win && removeWindow(w, c, s, num));
  releasePrereg(w, c, s);
  c.spapr = undefined;
}

/** Every valid hardware entry of a container's windows: IOBA page, frame, permissions (what the properties read). */
export function spaprEntries(w: World, s: SpaprIommu): { iobaPage: number; pfn: number; read: boolean; write: boolean }[] {
  const out: { iobaPage: number; pfn: number; read: boolean; write: boolean }[] = [];
  for (const win of s.windows) {
    if (!win) continue;
    for (const [frameIdx] of win.frames) {
      for (let k = 0; k < 512; k++) {
        const idx = frameIdx * 512 + k;
        const e = lazyGet(w.frames, win.frames, idx, HW_ENDIAN);
        if (e === 0n) continue;
        out.push({ iobaPage: pageOf(win.start + (BigInt(idx) << BigInt(win.pageShift))), pfn: Number(e >> 12n), read: (e & TCE_PCI_READ) !== 0n, write: (e & TCE_PCI_WRITE) !== 0n });
      }
    }
  }
  return out;
}

/**
 * The hardware window a KVM TCE table can drive (kvm_spapr_tce_attach_iommu_group's compatibility
 * test): same bus start, hardware page no larger than the guest's, at least as many bytes.
 */
export function compatibleWindow(s: SpaprIommu, busStart: bigint, pageShift: number, bytes: bigint): SpaprWindow | undefined {
  return s.windows.find((x): x is SpaprWindow => x !== null && x.start === busStart && x.pageShift <= pageShift && x.entries << BigInt(x.pageShift) >= bytes);
}

/** The frame backing a user virtual page through the process's preregistered memory (mm_iommu_ua_to_hpa), or undefined. */
export function preregFrame(mm: Mm, vpage: number): number | undefined {
  const at = mmRegionAt(mm, vpage);
  return at ? at.region.pfns[at.index] : undefined;
}

/**
 * Writes one hardware entry as KVM's hypercall path does (kvmppc_tce_iommu_do_map / do_unmap):
 * the old entry's region is released, the new one's mapped count taken. `pfn` undefined clears.
 * The caller decides whose caches to kill: that is where the two binding designs differ.
 */
function hwSetEntry(w: World, c: Container, s: SpaprIommu, win: SpaprWindow, iova: bigint, pfn: number | undefined, perm: bigint): void {
  const idx = Number((iova - win.start) >> BigInt(win.pageShift));
  const old = lazyGet(w.frames, win.frames, idx, HW_ENDIAN);
  if (old !== 0n) releaseEntry(w, old);
  if (pfn === undefined || perm === 0n) {
    if (old !== 0n) {
      lazyPut(w.frames, win.frames, idx, 0n, HW_ENDIAN, '');
      stepPoint('table-write');
    }
    return;
  }
  lazyPut(w.frames, win.frames, idx, (BigInt(pfn) << 12n) | perm, HW_ENDIAN, hardwareTceOwner(c.id));
  stepPoint('table-write');
  // only a faulty variant maps a frame outside preregistered memory; nothing then counts it.
  const r = regionHolding(w, pfn);
  if (r) r.mapped++;
}

export const SPAPR_TCE_OPS: SpaprTceOps = {
  open: () => ({ enabled: false, defaultPending: true, prereg: [], windows: [null, null] }),
  release: releaseSpapr,
  /** The group's PE takes the container's tables (they are shared, so there is nothing to copy). */
  attach_group(_w: World, g: Group) {
    g.dmaLc = DOMAIN.step(g.dmaLc, 'ATTACH').target;
  },
  detach_group(_w: World, g: Group) {
    g.dmaLc = DOMAIN.step(g.dmaLc, 'DETACH').target;
    g.tceCache.clear();
  },
  map_dma: spaprMap,
  unmap_dma: spaprUnmap,
  register_memory: registerMemoryOp,
  unregister_memory: unregisterMemoryOp,
  create_window: tceCreate,
  remove_window: tceRemove,
  tce_kill: killGroupCaches,
  clear_entries: hwClearRange,
  set_entry: hwSetEntry,
};
