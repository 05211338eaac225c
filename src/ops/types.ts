/**
 * The ops tables: every kernel operation the model performs, as a named function in a table named
 * after the kernel structure or subsystem that owns it (`vfio_iommu_driver_ops`,
 * `iommu_domain_ops`, `kvm_device_ops`, `mmu_notifier_ops`, ...). A design is one complete set of
 * these tables; the reference design (src/designs/reference.ts) reads like the kernel it models,
 * and a variant replaces single ops, usually by wrapping the reference op it receives.
 *
 * Every op takes the world first and mutates it in place, as the reducer does; an op that can be
 * refused checks everything before it changes anything, so a refusal leaves the world as it was.
 * Ops call each other through `opsOf(w)`, never directly, so a replaced op is seen by every caller.
 * The contract of each op (what it must do, in which order) is its doc comment here; the README's
 * "Ops reference" table lists the kernel function each one models.
 */
import type { EventOf, EventType } from '../events/types.js';
import type { Mm } from '../memory/mm.js';
import type { Outcome } from '../model/outcome.js';
import type { Container, Dma, Domain, Group, KvmVfioDev, Memslot, PciDevice, SpaprIommu, SpaprWindow, TceTable, Type1, Vm, World, ZpciFn } from '../model/world.js';

/** An event-handling op: applies one event of type K and returns the kernel's outcome. */
export type EventOp<K extends EventType> = (w: World, e: EventOf<K>) => Outcome;

/** A refusal code, or undefined when the step may go on. */
export type Refusal = string | undefined;

/** Host administration: boot, processes, limits, PCI topology (no kernel struct; the admin's view). */
export interface HostOps {
  /** host.boot: architecture, design and kvm association; EBUSY once anything exists, EINVAL for an unknown design. */
  boot: EventOp<'host.boot'>;
  process_spawn: EventOp<'host.process.spawn'>;
  /** setrlimit(RLIMIT_MEMLOCK): later charges are held to the new limit; existing ones stay. */
  rlimit_set: EventOp<'host.rlimit.set'>;
  cap_set: EventOp<'host.cap.set'>;
  /** A PCI device appears in an IOMMU group, bound to a driver. */
  pci_device_add: EventOp<'host.pci.device.add'>;
  /** /sys/module/vfio_iommu_type1/parameters/dma_entry_limit. */
  dma_entry_limit_set: EventOp<'host.vfio.dma_entry_limit'>;
}

/** mm/: the host's memory management: faults, pins (FOLL_PIN), locked_vm, migration, mmu notifiers. */
export interface MmOps {
  /** mmap(MAP_ANONYMOUS|MAP_FIXED_NOREPLACE) of the VMM. */
  mmap: EventOp<'vmm.mmap'>;
  /** A write through the VMM's virtual addresses (faulting pages in); EFAULT writes nothing. */
  write: EventOp<'vmm.mem.write'>;
  /** handle_mm_fault: the frame backing virtual page `page`, a zeroed one faulted in when untouched. */
  fault_in(w: World, mm: Mm, page: number): number;
  /** pin_user_pages on one frame: its pin count goes up by one. */
  pin_page(w: World, pfn: number): void;
  /** unpin_user_page: its pin count goes down by one (a negative count is kept so pin-balance sees it). */
  unpin_page(w: World, pfn: number): void;
  /** folio_maybe_dma_pinned: whether anything holds a DMA pin on the frame. */
  page_pinned(w: World, pfn: number): boolean;
  /** Adds `npages` (negative: returns them) to mm->locked_vm. Callers check the limit first (`canCharge`). */
  account_locked_vm(w: World, mm: Mm, npages: number): void;
  /** move_pages(2) of one page: EBUSY while pinned; else the mmu notifiers run, the bytes move, the old frame is freed. */
  migrate: EventOp<'host.mm.migrate'>;
  /** mmu_notifier_invalidate_range_start for one page: every subscriber (KVM, SVA bindings) drops its translation. */
  invalidate_range(w: World, mm: Mm, page: number): void;
}

/** drivers/vfio/ core: container and group fds, device fds, and the container's IOMMU ioctls. */
export interface VfioOps {
  container_open: EventOp<'vmm.vfio.container.open'>;
  /** The container fd's release: the container goes away once its last group left. */
  container_close: EventOp<'vmm.vfio.container.close'>;
  /** VFIO_SET_IOMMU: EINVAL without groups or with a driver set, ENODEV for a type this host lacks. */
  set_iommu: EventOp<'vmm.vfio.set_iommu'>;
  /** VFIO_IOMMU_MAP_DMA on a container: handed to the container's IOMMU driver. */
  dma_map: EventOp<'vmm.vfio.dma.map'>;
  /** VFIO_IOMMU_UNMAP_DMA on a container: handed to the container's IOMMU driver. */
  dma_unmap: EventOp<'vmm.vfio.dma.unmap'>;
  group_open: EventOp<'vmm.vfio.group.open'>;
  /** The group fd's release; deferred while device fds or KVM hold the group file. */
  group_close: EventOp<'vmm.vfio.group.close'>;
  /** VFIO_GROUP_SET_CONTAINER: the DMA-ownership claim (EPERM with a host driver bound), then the attach. */
  set_container: EventOp<'vmm.vfio.group.set_container'>;
  unset_container: EventOp<'vmm.vfio.group.unset_container'>;
  /** VFIO_GROUP_GET_DEVICE_FD: EBADF, ENODEV, EINVAL in the kernel's order; the first open runs open_device. */
  get_device_fd: EventOp<'vmm.vfio.group.get_device_fd'>;
  /** The device fd's release: the last close runs close_device. */
  device_close: EventOp<'vmm.vfio.device.close'>;
  /** vfio_group_detach_container: the group leaves its container (the last group releases the IOMMU driver). */
  group_detach(w: World, g: Group): void;
  /** fput of the group file held by a device fd or KVM: the last reference releases it. */
  group_put_file(w: World, g: Group): void;
}

/** vfio_iommu_driver_ops of VFIO type1 (drivers/vfio/vfio_iommu_type1.c), with the steps its ioctls take. */
export interface Type1Ops {
  /** vfio_iommu_type1_open + the domain allocation: a new instance for a container. */
  open(w: World, c: Container, iommu: number): Type1;
  /** vfio_iommu_type1_release: every vfio_dma removed, the domain freed. */
  release(w: World, c: Container): void;
  attach_group(w: World, t1: Type1, g: Group): void;
  detach_group(w: World, g: Group): void;
  /** vfio_dma_do_map: argument checks, overlap (EEXIST), dma_avail (ENOSPC), aperture, pinning, mapping. */
  map_dma(w: World, c: Container, t1: Type1, e: EventOf<'vmm.vfio.dma.map'>): Outcome;
  /** vfio_dma_do_unmap: argument checks, the v2 no-bisect rule, unmap-all, removal of whole vfio_dmas. */
  unmap_dma(w: World, c: Container, t1: Type1, e: EventOf<'vmm.vfio.dma.unmap'>): Outcome;
  /**
   * vfio_pin_pages_remote: faults in and pins the physically contiguous run of at most `npage`
   * pages from `vaddrPage`, charges it (lock_acct) and appends it to the vfio_dma's frames; an
   * unmapped page (EFAULT) or RLIMIT_MEMLOCK (ENOMEM, unless the dma has CAP_IPC_LOCK) refuses
   * the call with nothing of it left pinned.
   */
  pin_pages_remote(w: World, dma: Dma, vaddrPage: number, npage: number): { pfns: number[] } | { code: 'EFAULT' | 'ENOMEM' };
  /** vfio_unpin_pages_remote: unpins a vfio_dma's frames and returns its charge. */
  unpin_pages_remote(w: World, dma: Dma): void;
  /** vfio_lock_acct: charges (or with a negative count returns) pages to the mm's locked_vm. */
  lock_acct(w: World, mm: Mm, npages: number): void;
  /** vfio_iommu_map: writes the translations of a vfio_dma's newest chunk (its last `pfns.length` pages) into the container's domain. */
  iommu_map(w: World, t1: Type1, dma: Dma, pfns: readonly number[]): void;
  /** vfio_unmap_unpin: removes the translations, syncs the IOTLB, then unpins (in that order). */
  unmap_unpin(w: World, t1: Type1, dma: Dma): void;
  /** vfio_remove_dma: unmap_unpin, unlink, dma_avail back up by one. */
  remove_dma(w: World, t1: Type1, dma: Dma): void;
  /** host.iommu.sync: the IOTLB syncs a lazy unmap path deferred (none in the reference design). */
  iommu_sync: EventOp<'host.iommu.sync'>;
}

/** iommu core (drivers/iommu/iommu.c) and iommu_domain_ops of a paging domain. */
export interface IommuOps {
  /** The domain check of iommu_map/iommu_unmap: a KVM-owned domain (IOMMU_DOMAIN_KVM) takes calls only from KVM (EINVAL). */
  domain_owner_check(w: World, dom: Domain, caller: 'vfio' | 'kvm'): Refusal;
  /** iommu_domain_ops.map_pages: one 4 KiB leaf per frame from `iovaPage`, in the domain's format. */
  map_pages(w: World, dom: Domain, iovaPage: number, pfns: readonly number[], read: boolean, write: boolean): void;
  /** iommu_domain_ops.unmap_pages: clears `pages` leaves from `iovaPage` (the IOTLB still holds them). */
  unmap_pages(w: World, dom: Domain, iovaPage: number, pages: number): void;
  /** iommu_domain_ops.iotlb_sync: the IOTLB forgets what was unmapped. */
  iotlb_sync(w: World, dom: Domain): void;
  /** iommu_domain_ops.free: the table frames go. */
  domain_free(w: World, dom: Domain): void;
}

/** VFIO's sPAPR TCE v2 IOMMU driver (drivers/vfio/vfio_iommu_spapr_tce.c) and the platform's TCE kill. */
export interface SpaprTceOps {
  open(w: World, c: Container): SpaprIommu;
  /** tce_iommu_release: every window and preregistered region goes. */
  release(w: World, c: Container): void;
  attach_group(w: World, g: Group): void;
  /** The group's PE leaves: its windows are unset and its TCE cache is gone. */
  detach_group(w: World, g: Group): void;
  /** VFIO_IOMMU_MAP_DMA: through preregistered memory into the hardware table. */
  map_dma(w: World, e: EventOf<'vmm.vfio.dma.map'>): Outcome;
  unmap_dma(w: World, e: EventOf<'vmm.vfio.dma.unmap'>): Outcome;
  /** VFIO_IOMMU_SPAPR_REGISTER_MEMORY (mm_iommu_new): pins and charges a region. */
  register_memory: EventOp<'vmm.vfio.spapr.register_memory'>;
  unregister_memory: EventOp<'vmm.vfio.spapr.unregister_memory'>;
  /** VFIO_IOMMU_SPAPR_TCE_CREATE: a DMA window in the free slot. */
  create_window: EventOp<'vmm.vfio.spapr.tce_create'>;
  remove_window: EventOp<'vmm.vfio.spapr.tce_remove'>;
  /** iommu_tce_kill: the given groups' PEs drop cached TCEs for IOBA pages [first, first + count). */
  tce_kill(w: World, groups: readonly string[], firstIobaPage: number, count: number): void;
  /** Clears hardware entries [first, first + count) of a window, releasing their regions' counts (no kill). */
  clear_entries(w: World, s: SpaprIommu, win: SpaprWindow, first: bigint, count: bigint): void;
  /** Writes one hardware entry as KVM's hypercall path does; `pfn` undefined clears it (no kill). */
  set_entry(w: World, c: Container, s: SpaprIommu, win: SpaprWindow, iova: bigint, pfn: number | undefined, perm: bigint): void;
}

/** One hardware table a TCE hypercall updates, and the groups whose TCE caches it kills. */
export interface HwTarget {
  readonly c: Container;
  readonly win: SpaprWindow;
  readonly kill: readonly string[];
}

/** KVM's in-kernel TCE tables and hypercalls (arch/powerpc/kvm/book3s_64_vio.c). */
export interface KvmSpaprTceOps {
  /** KVM_CREATE_SPAPR_TCE_64: validated and charged up front. */
  create_table: EventOp<'vmm.kvm.create_spapr_tce_64'>;
  close_table: EventOp<'vmm.kvm.spapr_tce.close'>;
  h_put_tce: EventOp<'guest.spapr.h_put_tce'>;
  h_put_tce_indirect: EventOp<'guest.spapr.h_put_tce_indirect'>;
  h_stuff_tce: EventOp<'guest.spapr.h_stuff_tce'>;
  h_get_tce: EventOp<'guest.spapr.h_get_tce'>;
  /** kvm_spapr_tce_attach_iommu_group (KVM_DEV_VFIO_FILE_SET_SPAPR_TCE after the KVM-VFIO checks). */
  attach_group(w: World, d: KvmVfioDev, g: Group, t: TceTable): Outcome;
  /** kvm_spapr_tce_release_iommu_group: the group's links go (FILE_DEL, device release). */
  release_group(w: World, groupId: string): void;
  /** The hardware tables behind a LIOBN, one per container of its bound groups, each with the groups to kill. */
  iommu_targets(w: World, t: TceTable): HwTarget[];
  /** Whose TCE caches a hypercall kills in container `c`, given the LIOBN's groups bound there: the binding design's one decision. */
  kill_groups(w: World, c: Container, bound: readonly string[]): readonly string[];
  /** kvmppc_tce_validate: an H_ code; DMA_NONE always passes. */
  tce_validate(w: World, vm: Vm, t: TceTable, tce: bigint, targets: readonly HwTarget[]): string;
  /** The frames backing a mapping TCE in one hardware table (kvmppc_tce_to_ua + mm_iommu_ua_to_hpa), or undefined. */
  tce_to_frames(w: World, vm: Vm, x: HwTarget, t: TceTable, tce: bigint): number[] | undefined;
  /** kvmppc_tce_iommu_map/unmap into every target, the kills, then the guest-visible store (kvmppc_tce_put). */
  put_everywhere(w: World, vm: Vm, t: TceTable, targets: readonly HwTarget[], ioba: bigint, tce: bigint): void;
}

/** virt/kvm/kvm_main.c: VMs, memslots, the vCPU's memory accesses, references, and KVM's page pins. */
export interface KvmOps {
  create_vm: EventOp<'vmm.kvm.create_vm'>;
  /** KVM_SET_USER_MEMORY_REGION: create, delete, or change the flags of a slot. */
  set_user_memory_region: EventOp<'vmm.kvm.set_user_memory_region'>;
  close_vm: EventOp<'vmm.kvm.close_vm'>;
  /** The guest CPU reads or writes its memory through the memslots (guest.mem.read/write). */
  guest_access(w: World, vmId: string, gpa: bigint, len: number, data?: Uint8Array): Outcome;
  /** kvm_get_kvm. */
  get_kvm(w: World, vmId: string): void;
  /** kvm_put_kvm: the last reference of a closing VM destroys it. */
  put_kvm(w: World, vmId: string): void;
  /** Pins one guest page for KVM (gfn_to_page + pin): EFAULT outside guest RAM, ENOMEM over RLIMIT_MEMLOCK. `held` is KVM's pin count per frame for this VM. */
  pin_guest_page(w: World, vm: Vm, gpaPage: number, held: Map<number, number>): { pfn: number } | { code: 'EFAULT' | 'ENOMEM' };
  /** Drops one KVM pin; the page's charge goes with its last pin. */
  unpin_guest_page(w: World, vm: Vm, pfn: number, held: Map<number, number>): void;
  /** KVM's locked_vm accounting of the pages it pins, one page at a time: ENOMEM over the limit. */
  account_pinned(w: World, vm: Vm, npages: number): Refusal;
  dirty_log_enable: EventOp<'vmm.kvm.dirty_log.enable'>;
  /** KVM_GET_DIRTY_LOG: the bitmap, cleared, and the reported pages re-armed. */
  dirty_log_get: EventOp<'vmm.kvm.dirty_log.get'>;
}

/** How KVM logs dirty pages of a VM: refused (a table it cannot write-protect), by write-protection, or by the D bits. */
export type DirtyLogMode = 'refused' | 'write-protect' | 'dirty-bits';

/** KVM's stage-2 MMU on x86 (arch/x86/kvm/mmu/): faults, zaps, flushes, and its mmu notifier. */
export interface KvmMmuOps {
  /** A guest access to one page through the stage-2 table: the frame, faulting (and logging) as needed; undefined for a read of an untouched page. */
  page_fault(w: World, vm: Vm, mm: Mm, slot: Memslot, gpaPage: number, write: boolean): number | undefined;
  /** Zaps the leaf of a guest page; true when one was present. */
  zap_gfn(w: World, vm: Vm, gpaPage: number): boolean;
  /** kvm_flush_remote_tlbs: CPU TLBs, and the IOTLB of an IOMMU walking the table. */
  flush_remote_tlbs(w: World, vm: Vm): void;
  /** kvm_flush_remote_tlbs_memslot: the flush after write-protecting or cleaning a slot's leaves for dirty logging. */
  flush_remote_tlbs_memslot(w: World, vm: Vm, slot: Memslot): void;
  /** kvm_arch_flush_shadow_memslot: a deleted slot's leaves are zapped and flushed. */
  flush_shadow_memslot(w: World, vm: Vm, slot: Memslot): void;
  /** How this VM's dirty logging works now. */
  dirty_log_mode(w: World, vm: Vm): DirtyLogMode;
  /** kvm_arch_mmu_enable_log_dirty_pt_masked after GET_DIRTY_LOG: the reported pages write-protected again (or their D bits already cleared), then the flush. */
  rearm_dirty_log(w: World, vm: Vm, slot: Memslot, gpaPages: readonly number[]): void;
  /** kvm_mmu_notifier_invalidate_range_start for one process page: KVM's leaves of it are zapped and flushed. */
  invalidate_range_start(w: World, mm: Mm, page: number): void;
}

/** The stage2-shared design: an IOMMU domain whose root is KVM's stage-2 table (a KVM-VFIO attribute). */
export interface Stage2ShareOps {
  /** vmm.kvm.vfio.share_stage2 after the KVM-VFIO checks: pins every guest page, attaches the group to the shared domain. */
  share(w: World, d: KvmVfioDev, g: Group): Outcome;
  /** The group stops walking KVM's table; the last one unpins everything. */
  stop_sharing(w: World, groupId: string): void;
  /** A memslot added to a shared VM is pinned and mapped at once; a refusal changes nothing. */
  slot_added(w: World, vm: Vm, s: Memslot): Outcome | undefined;
  /** A memslot of a shared VM goes: zap, flush the IOTLB, then unpin. */
  slot_removed(w: World, vm: Vm, s: Memslot): void;
  /** The IOMMU's cached translations of the shared table are dropped. */
  flush_iotlb(w: World, dom: Domain): void;
  /** A device write through the shared table landed on a guest page (the IOMMU's A/D update, if any). */
  device_wrote(w: World, dom: Domain, iovaPage: number): void;
}

/** virt/kvm/vfio.c: the KVM-VFIO pseudo device (kvm_device_ops and its attributes). */
export interface KvmVfioOps {
  create: EventOp<'vmm.kvm.create_device'>;
  /** KVM_DEV_VFIO_FILE_ADD: group->kvm set, the group file held. */
  file_add: EventOp<'vmm.kvm.vfio.file_add'>;
  file_del: EventOp<'vmm.kvm.vfio.file_del'>;
  set_spapr_tce: EventOp<'vmm.kvm.vfio.set_spapr_tce'>;
  share_stage2: EventOp<'vmm.kvm.vfio.share_stage2'>;
  /** kvm_vfio_release: every file removed, the VM reference dropped (v6.2+). */
  release: EventOp<'vmm.kvm.device.close'>;
  /** Removes one group file: bindings and sharing end, kvm cleared, the file reference dropped. */
  remove_file(w: World, d: KvmVfioDev, groupId: string): void;
}

/** How a VFIO device learns its kvm (final design: captured at first open; v3: the SET_KVM group notifier). */
export interface KvmAssociationOps {
  /** At a device's first open: capture kvm (final) or register the notifier and replay the group's kvm (v3); a refusal undoes the open. */
  open_device(w: World, dev: PciDevice, g: Group): Refusal;
  /** At a device's last close: the association ends, the kvm reference is put. */
  close_device(w: World, dev: PciDevice): void;
  /** vfio_group_set_kvm: FILE_ADD (kvm) or FILE_DEL (undefined) on a group; the notifier's callback in v3. */
  group_set_kvm(w: World, g: Group, kvm: string | undefined): void;
}

/** KVM's side of zPCI (arch/s390/kvm/pci.c): the kvm_zdev association, GISA, AEN forwarding. */
export interface KvmS390PciOps {
  /** kvm_s390_pci_register_kvm: EINVAL when registered already; takes a kvm reference when `counted`. */
  register_kvm(w: World, dev: PciDevice, kvm: string, counted: boolean): Refusal;
  /** kvm_s390_pci_unregister_kvm: AEN pins, the KVM shadow and the GISA go, the kvm reference is put. */
  unregister_kvm(w: World, dev: PciDevice): void;
  /** KVM_S390_ZPCI_OP REG_AEN / DEREG_AEN. */
  zpci_op: EventOp<'vmm.kvm.s390.zpci_op'>;
}

/** s390 zPCI instructions as the VMM intercepts them (QEMU's s390-pci-inst.c), shared by both RPCIT designs. */
export interface ZpciOps {
  /** The VMM plugs an opened VFIO device into the guest as a zPCI function. */
  plug: EventOp<'vmm.s390.zpci.plug'>;
  clp_set_pci_fn: EventOp<'guest.s390.clp.set_pci_fn'>;
  mpcifc: EventOp<'guest.s390.mpcifc'>;
  /** RPCIT: handle, state, IOAT and range checks in QEMU's order, then the function's design refreshes. */
  rpcit: EventOp<'guest.s390.rpcit'>;
  /** The Linux guest's global refresh: RPCIT over pba..pal. */
  refresh_all: EventOp<'guest.s390.refresh_all'>;
  /** Registers a function's IOAT and lets its design take what it needs; a refusal leaves no IOAT. */
  register_ioat(w: World, vm: Vm, f: ZpciFn, ioat: NonNullable<ZpciFn['ioat']>): Outcome | undefined;
  /** The design tears down what it derived from the guest tables; the IOAT goes. */
  deregister_ioat(w: World, vm: Vm, f: ZpciFn): void;
  /** vfio_pci_zdev_close_device: the association ends and the function leaves the guest. */
  close_device(w: World, dev: PciDevice): void;
}

/** One s390 RPCIT design: who handles IOAT registration and RPCIT (per function, chosen at plug). */
export interface ZpciDesignOps {
  /** The guest's RPCIT reaches this design (a VM exit to the VMM for the userspace design). */
  intercept(w: World, vm: Vm, f: ZpciFn): void;
  /** Extra work when the guest registers its IOAT; an outcome refuses the registration. */
  register_ioat(w: World, vm: Vm, f: ZpciFn): Outcome | undefined;
  /** Tears down everything derived from the guest tables. */
  deregister_ioat(w: World, vm: Vm, f: ZpciFn): void;
  /** The refresh after the shared checks: [start, end) lies partly within pba..pal. */
  refresh(w: World, vm: Vm, f: ZpciFn, start: bigint, end: bigint): Outcome;
  /** The function's kvm association ends (kvm_s390_pci_unregister_kvm): whatever KVM holds for it goes. */
  kvm_released(w: World, vm: Vm, f: ZpciFn): void;
}

/** The merged design: QEMU walks the guest tables and maps each page through VFIO type1 (s390-pci-bus.c). */
export interface ZpciUserspaceOps extends ZpciDesignOps {
  /** s390_pci_update_iotlb for one page (gpaPage undefined: invalidate); returns QEMU's budget after it. */
  update_iotlb(w: World, vm: Vm, f: ZpciFn, iovaPage: number, gpaPage: number | undefined, write: boolean): number;
  /** vfio_iommu_map_notify for a MAP: one 4 KiB MAP_DMA of the guest page's VMM address. */
  map_notify(w: World, vm: Vm, f: ZpciFn, iovaPage: number, gpaPage: number, write: boolean): void;
  /** vfio_iommu_map_notify for an UNMAP: one UNMAP_DMA. */
  unmap_notify(w: World, f: ZpciFn, iova: bigint, size: bigint): void;
  /** s390_pci_batch_unmap: a coalesced range as naturally aligned power-of-two UNMAP_DMAs. */
  batch_unmap(w: World, f: ZpciFn, iova: bigint, len: bigint): void;
}

/** Everything a kvm-shadow step needs about the function it shadows. */
export interface ShadowCtx {
  readonly vm: Vm;
  readonly f: ZpciFn;
  readonly dom: Domain;
  /** KVM's pin count per frame for this VM. */
  readonly held: Map<number, number>;
}

/** The v4 proposal: KVM intercepts RPCIT and shadows the guest's tables into a KVM-owned domain. */
export interface ZpciKvmShadowOps extends ZpciDesignOps {
  /** Pins a guest table page on first use. */
  pin_table_page(w: World, x: ShadowCtx, gpaPage: number): 'EFAULT' | 'ENOMEM' | undefined;
  /** One valid guest PTE: pin the page, compare with the host entry; equal drops the extra pin, different replaces it and unpins the old page. */
  shadow_entry(w: World, x: ShadowCtx, iovaPage: number, gpaPage: number, write: boolean): 'EFAULT' | 'ENOMEM' | 'changed' | 'same';
  /** A guest entry now invalid over a valid host entry: the host entry becomes exactly 0x400, then the page is unpinned. */
  unshadow_entry(w: World, x: ShadowCtx, iovaPage: number): void;
}

/** The sva-pri design: a PASID bound to the VMM's mm, device page requests, and the SVA mmu notifier. */
export interface SvaOps {
  bind: EventOp<'vmm.vfio.device.bind_sva'>;
  unbind: EventOp<'vmm.vfio.device.unbind_sva'>;
  /** Drops a device's binding and its cached translations (unbind, last close). */
  release(w: World, dev: PciDevice): void;
  /** A page request (PRI) for a missing translation: the host faults the page in. */
  page_request(w: World, dev: PciDevice, mm: Mm, page: number): number;
  /** The SVA mmu notifier: every binding on `mm` drops its cached translation of `page`. */
  invalidate(w: World, mm: Mm, page: number): void;
}

/** The passed-through device's side: DMA translated by the IOMMU through the table bytes. */
export interface DeviceOps {
  /** device.dma.read / device.dma.write: every page translated first; bytes move only if all are allowed. */
  dma(w: World, deviceId: string, iova: bigint, len: number, data?: Uint8Array): Outcome;
}

/** Every ops table of a design, by name. */
export interface Ops {
  host: HostOps;
  mm: MmOps;
  vfio: VfioOps;
  vfio_iommu_type1: Type1Ops;
  iommu: IommuOps;
  vfio_iommu_spapr_tce: SpaprTceOps;
  kvm_spapr_tce: KvmSpaprTceOps;
  kvm: KvmOps;
  kvm_mmu: KvmMmuOps;
  kvm_stage2_share: Stage2ShareOps;
  kvm_vfio: KvmVfioOps;
  kvm_association_open: KvmAssociationOps;
  kvm_association_notifier: KvmAssociationOps;
  kvm_s390_pci: KvmS390PciOps;
  zpci: ZpciOps;
  zpci_userspace: ZpciUserspaceOps;
  zpci_kvm_shadow: ZpciKvmShadowOps;
  sva: SvaOps;
  device: DeviceOps;
}

export type TableName = keyof Ops;
