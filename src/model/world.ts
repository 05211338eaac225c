/**
 * The model's whole state: plain records keyed by the ids the log uses, plus host memory. Every
 * lifecycle field (`lc`, `dmaLc`) holds a state of the machine named beside it. Statistics are
 * kept apart from the state proper: they are not part of the digest or of state identity.
 */
import { DEFAULT_KERNEL_CODE } from './kernel-version.js';
import { DEFAULT_PAGES_PER_EVENT } from './page-limit.js';
import { clonePool, emptyPool, type FramePool } from '../memory/frames.js';
import type { Mm } from '../memory/mm.js';

/** KVM's stage-2 (EPT) table of an x86 VM, in host frames (src/kvm/stage2/table.ts reads and writes it). */
export interface Stage2 {
  readonly root: number;
  /** Intermediate table frames, freed with the VM. */
  readonly tables: number[];
}

export interface Memslot {
  readonly slot: number;
  flags: number;
  readonly gpaPage: number;
  readonly pages: number;
  readonly hvaPage: number;
  /** KVM's dirty bitmap (slot-relative pages), present while KVM_MEM_LOG_DIRTY_PAGES is set. */
  dirty?: Set<number>;
  /**
   * Ghost state, not KVM's: every page written through KVM's stage-2 (guest CPU, or a device
   * walking a shared stage-2) since logging began or the last GET_DIRTY_LOG. The
   * dirty-tracking-complete property compares it with `dirty`; no handler reads it.
   */
  written?: Set<number>;
}

export interface Vm {
  readonly id: string;
  readonly mm: string;
  /** kvm-vm machine state. */
  lc: string;
  /** Memslots sorted by gpaPage. */
  slots: Memslot[];
  /** References other than the VM fd (KVM-VFIO device fd, devices that captured kvm). */
  refs: number;
  kvmVfioDev?: string;
  /** x86: KVM's stage-2 (EPT) table, created on the first fault. */
  s2?: Stage2;
  /** stage2-shared design: the IOMMU domain walking `s2`, and the page KVM pinned for each guest page. */
  shared?: { domain: string; pins: Map<number, number> };
}

/** One vfio_dma: a MAP_DMA range, its pinned frames and its accounting. */
export interface Dma {
  readonly iovaPage: number;
  /** Pages pinned and mapped so far (dma->size): MAP_DMA grows it chunk by chunk. */
  pages: number;
  vaddrPage: number;
  /** Set by UNMAP_DMA with FLAG_VADDR (live update): the pins stay, the vaddr is unknown until MAP_DMA with FLAG_VADDR. */
  vaddrInvalid: boolean;
  readonly read: boolean;
  readonly write: boolean;
  /** Pinned frame of each page, in order. */
  readonly pfns: number[];
  /** Pages charged to `mm`'s locked_vm. */
  accounted: number;
  readonly lockCap: boolean;
  readonly mm: string;
}

export interface Type1 {
  readonly v2: boolean;
  /** VFIO_KVM_IOMMU (the v4 zPCI proposal): the domain belongs to KVM, userspace maps are refused. */
  readonly kvm: boolean;
  readonly domain: string;
  /** Sorted by iovaPage, non-overlapping. */
  dmas: Dma[];
  dmaAvail: number;
  /**
   * Ghost state, not the kernel's: the dma_entry_limit dma_avail started from when the instance
   * was opened (the kernel keeps only dma_avail). dma-avail-accounting compares the two.
   */
  readonly entryLimit: number;
  /** Unmapped ranges whose translations a lazy-flush variant has not removed yet. */
  pendingSync?: { iovaPage: number; pages: number }[];
}

/** A container's reference to a region of its mm's preregistered memory (struct tce_iommu_prereg). */
export interface SpaprPreregRef {
  readonly vaddrPage: number;
  readonly pages: number;
}

/** A DMA window: a hardware TCE table in host frames, shared by the container's groups. */
export interface SpaprWindow {
  /** Bus address of entry 0. */
  readonly start: bigint;
  readonly pageShift: number;
  readonly entries: bigint;
  /** Pages charged to locked_vm for the table. */
  readonly charged: number;
  /** Backing frames of the table, allocated on the first non-zero write. */
  frames: Map<number, number>;
}

/** The sPAPR TCE v2 IOMMU driver instance of a container. */
export interface SpaprIommu {
  enabled: boolean;
  /** The default 32-bit window is created on the first MAP, UNMAP or TCE_CREATE. */
  defaultPending: boolean;
  /** The regions this container registered (container->prereg_list); the regions are the mm's (Mm.iommuMem). */
  prereg: SpaprPreregRef[];
  /** Two slots: the default window at bus 0, the dynamic one at 1 << 59. */
  windows: (SpaprWindow | null)[];
}

export interface Container {
  readonly id: string;
  readonly mm: string;
  /** vfio-container machine state. */
  lc: string;
  groups: string[];
  iommu?: Type1;
  spapr?: SpaprIommu;
}

export interface Group {
  readonly id: string;
  readonly defaultDomain: 'dma' | 'identity';
  devices: string[];
  /** vfio-group machine state. */
  lc: string;
  /** iommu-domain machine state. */
  dmaLc: string;
  mm?: string;
  container?: string;
  /** Open device fds of this group's devices. */
  deviceFds: number;
  /** Extra references on the group file held by KVM-VFIO devices. */
  kvmFileRefs: number;
  /** The kvm set by KVM_DEV_VFIO_FILE_ADD (group->kvm). */
  kvm?: string;
  /** Attached paging domain when dmaLc is `unmanaged`. */
  domain?: string;
  /** sPAPR: TCEs this group's PE has cached, by IOBA page (invalidated by a kill). */
  tceCache: Map<number, { pfn: number; read: boolean; write: boolean }>;
}

export interface PciDevice {
  readonly id: string;
  readonly group: string;
  readonly driver: string;
  /** vfio-device machine state. */
  lc: string;
  openCount: number;
  /** State in the world's kvm association machine (kvm-association or set-kvm-notifier). */
  assoc: string;
  /** device->kvm, captured at first open. */
  kvm?: string;
  /** s390: the kvm this zdev is registered with (kvm_zdev), and whether it holds a kvm reference. */
  kzdev?: { kvm: string; counted: boolean };
  /** s390: the GISA designation set while the function is interpreted by KVM. */
  gisa?: number;
  /** sva-pri design: the mm the device's PASID is bound to, and its cached translations (ATC) by virtual page. */
  sva?: { mm: string; atc: Map<number, { pfn: number; write: boolean }> };
}

export interface DevFd {
  readonly id: string;
  readonly device: string;
}

export interface KvmVfioDev {
  readonly id: string;
  readonly vm: string;
  /** kvm-vfio-device machine state. */
  lc: string;
  /** Groups added with FILE_ADD, in order. */
  files: string[];
}

export interface Domain {
  readonly id: string;
  /**
   * unmanaged: VFIO type1's paging domain; kvm: the v4 zPCI proposal's KVM-owned domain;
   * kvm-stage2: a domain whose root is KVM's stage-2 table (the stage2-shared design).
   */
  readonly type: 'unmanaged' | 'kvm' | 'kvm-stage2';
  readonly format: 'vtd' | 's390';
  readonly container: string;
  readonly root: number;
  /** Intermediate table frames (none for kvm-stage2: the tables are KVM's). */
  tables: number[];
  /** kvm-stage2: the VM whose table this is. */
  readonly vm?: string;
  /** kvm-stage2: the IOMMU's cached translations by IOVA (= guest) page, filled by DMA walks. */
  iotlb?: Map<number, { pfn: number; write: boolean; dirty?: boolean }>;
  /** Who may map it: its state in the domain-owner machine (machines/domain-owner.ts). */
  owner: string;
}

/** A VFIO device plugged into an s390 guest as a zPCI function. */
export interface ZpciFn {
  /** The device id. */
  readonly id: string;
  readonly vm: string;
  /** Function handle while disabled; FH_MASK_ENABLE is added while enabled. */
  readonly fhBase: number;
  readonly design: 'userspace' | 'kvm-shadow';
  readonly sdma: bigint;
  readonly edma: bigint;
  /** The container the device's group uses (its type1 or KVM domain). */
  readonly container: string;
  /** zpci-function machine state. */
  lc: string;
  /** Registered I/O address translation: guest IOTA and the pba..pal range. */
  ioat?: { iota: bigint; pba: bigint; pal: bigint };
  /** Queued PCI error events (PEC and failing address), oldest first. */
  errors: { pec: number; faddr: bigint }[];
  /** userspace design: QEMU's translation cache, IOVA page → guest page and write permission. */
  iotlb: Map<number, { gpaPage: number; write: boolean }>;
  /** kvm-shadow design: each valid host PTE KVM wrote, with the guest page it pinned. */
  shadow: Map<number, { gpaPage: number; pfn: number; write: boolean }>;
  /** kvm-shadow design: guest table pages KVM pinned (guest page → frame). */
  tablePins: Map<number, number>;
  /** Adapter-event notification: guest pages pinned for the interrupt bit vector and summary bit. */
  aen?: { gisc: number; pins: { gpaPage: number; pfn: number }[] };
}

/** A KVM in-kernel TCE table (struct kvmppc_spapr_tce_table). */
export interface TceTable {
  readonly id: string;
  readonly vm: string;
  readonly liobn: bigint;
  readonly pageShift: number;
  /** Window start and size, in IOMMU pages. */
  readonly offset: bigint;
  readonly size: bigint;
  /** Pages charged to locked_vm at creation (kvmppc_stt_pages). */
  readonly charged: number;
  /** Backing frames by backing-page index, allocated on the first non-zero write. */
  pages: Map<number, number>;
  /** Groups bound with SET_SPAPR_TCE (each holds a reference on its container's hardware window). */
  attached: string[];
  /** State in the liobn machine (machines/liobn.ts). */
  lc: string;
}

export interface Stats {
  events: number;
  refused: number;
  ioctls: number;
  pins: number;
  unpins: number;
  iotlbFlushes: number;
  dmaFaults: number;
  rpcits: number;
  vfioMapErrors: number;
  /** Exits to the VMM (a hypercall KVM hands off). */
  vmExits: number;
  /** SVA: page requests a device raised for a missing translation. */
  pageRequests: number;
}

export interface World {
  /** Host architecture: decides the host IOMMU table format and the VFIO IOMMU drivers offered. */
  arch: 'x86' | 's390' | 'ppc64';
  /** The kernel version the host runs, major * 1000 + minor (model/kernel-version.ts). */
  kernel: number;
  /** The most pages one event may touch (kernel/limits.ts): the run's configuration, not state (no digest covers it). */
  pageLimit: number;
  /** The design in force ('' for the reference design): its ops tables run every event (src/ops/registry.ts). */
  design: string;
  frames: FramePool;
  /** Pin count per frame. */
  pins: Map<number, number>;
  mms: Map<string, Mm>;
  vms: Map<string, Vm>;
  containers: Map<string, Container>;
  groups: Map<string, Group>;
  devices: Map<string, PciDevice>;
  devfds: Map<string, DevFd>;
  kvmdevs: Map<string, KvmVfioDev>;
  domains: Map<string, Domain>;
  nextDomain: number;
  /** KVM TCE tables by table id. */
  tceTables: Map<string, TceTable>;
  /** zPCI functions by device id. */
  zpci: Map<string, ZpciFn>;
  /** QEMU's per-container DMA mapping budget (S390PCIDMACount.avail), shared by a container's functions. */
  qemuDmaLimits: Map<string, number>;
  /** How vfio devices learn their kvm (host.boot). */
  kvmAssociation: 'open' | 'notifier';
  /** vfio_iommu_type1.dma_entry_limit, read when a container's type1 instance is created. */
  dmaEntryLimit: number;
  stats: Stats;
}

/** A copy of the counters, field by field (a fork makes one per transition). */
export function copyStats(s: Stats): Stats {
  return {
    events: s.events, refused: s.refused, ioctls: s.ioctls, pins: s.pins, unpins: s.unpins, iotlbFlushes: s.iotlbFlushes,
    dmaFaults: s.dmaFaults, rpcits: s.rpcits, vfioMapErrors: s.vfioMapErrors, vmExits: s.vmExits, pageRequests: s.pageRequests,
  };
}

/** Copies the counters of `from` into `to`, field by field (the in-place journal saves and restores them without allocating). */
export function assignStats(to: Stats, from: Stats): void {
  to.events = from.events; to.refused = from.refused; to.ioctls = from.ioctls; to.pins = from.pins; to.unpins = from.unpins; to.iotlbFlushes = from.iotlbFlushes;
  to.dmaFaults = from.dmaFaults; to.rpcits = from.rpcits; to.vfioMapErrors = from.vfioMapErrors; to.vmExits = from.vmExits; to.pageRequests = from.pageRequests;
}

/** vfio_iommu_type1's default dma_entry_limit (U16_MAX). */
export const DEFAULT_DMA_ENTRY_LIMIT = 65535;

export function emptyWorld(): World {
  const stats = { events: 0, refused: 0, ioctls: 0, pins: 0, unpins: 0, iotlbFlushes: 0, dmaFaults: 0, rpcits: 0, vfioMapErrors: 0, vmExits: 0, pageRequests: 0 };
  return worldOf({
    arch: 'x86', kernel: DEFAULT_KERNEL_CODE, pageLimit: DEFAULT_PAGES_PER_EVENT, design: '', frames: emptyPool(),
    pins: new Map(), mms: new Map(), vms: new Map(), containers: new Map(), groups: new Map(), devices: new Map(), devfds: new Map(), kvmdevs: new Map(),
    domains: new Map(), zpci: new Map(), tceTables: new Map(), qemuDmaLimits: new Map(),
    kvmAssociation: 'open', nextDomain: 1, dmaEntryLimit: DEFAULT_DMA_ENTRY_LIMIT, stats,
  });
}

/**
 * A world of these fields, built as one literal in one order: every world (empty, cloned, forked)
 * has the same shape, so the checker's hot paths that read a world's fields (the in-place
 * journal's save and restore, the fingerprint) see one shape, not one per way it was made.
 */
export function worldOf(f: World): World {
  return {
    arch: f.arch, kernel: f.kernel, pageLimit: f.pageLimit, design: f.design, frames: f.frames,
    pins: f.pins, mms: f.mms, vms: f.vms, containers: f.containers, groups: f.groups, devices: f.devices, devfds: f.devfds, kvmdevs: f.kvmdevs,
    domains: f.domains, zpci: f.zpci, tceTables: f.tceTables, qemuDmaLimits: f.qemuDmaLimits,
    kvmAssociation: f.kvmAssociation, nextDomain: f.nextDomain, dmaEntryLimit: f.dmaEntryLimit, stats: f.stats,
  };
}

/** The world's record maps: the parts a fork may share with its parent (model/fork.ts). */
export const RECORD_MAPS = ['pins', 'mms', 'vms', 'containers', 'groups', 'devices', 'devfds', 'kvmdevs', 'domains', 'tceTables', 'zpci', 'qemuDmaLimits'] as const satisfies readonly (keyof World)[];
export type RecordMap = (typeof RECORD_MAPS)[number];
/** The world's plain-value fields: a fork copies them, and compares them to tell whether it changed. */
export const SCALARS = ['arch', 'kernel', 'pageLimit', 'design', 'nextDomain', 'kvmAssociation', 'dmaEntryLimit'] as const satisfies readonly (keyof World)[];
type MapField = { [K in keyof World]: World[K] extends Map<unknown, unknown> ? K : never }[keyof World];
// a map added to World but not to RECORD_MAPS would be shared by forks without being frozen, and
// a field in neither list would be missed when a fork compares itself with its parent.
const everyMapListed: [Exclude<MapField, RecordMap>] extends [never] ? true : never = true;
const everyFieldListed: [Exclude<keyof World, RecordMap | (typeof SCALARS)[number] | 'frames' | 'stats'>] extends [never] ? true : never = true;
void everyMapListed;
void everyFieldListed;

/** Deep copy of the plain data the records are made of: objects, arrays, Maps, Sets, primitives. */
export function copyData<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  // primitives are taken as they are without a call: most map values and fields are numbers or strings.
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      out[i] = typeof x === 'object' && x !== null ? copyData(x) : x;
    }
    return out as T;
  }
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(k, typeof x === 'object' && x !== null ? copyData(x) : x);
    return out as T;
  }
  if (v instanceof Set) return new Set(v) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    out[k] = typeof x === 'object' && x !== null ? copyData(x) : x;
  }
  return out as T;
}

/** An independent copy; page bytes are shared copy-on-write, everything else is copied. */
export function cloneWorld(w: World): World {
  const { frames, ...rest } = w;
  return worldOf({ ...copyData(rest), frames: clonePool(frames) });
}
