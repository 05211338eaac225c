/**
 * The reducer: dispatches each event to the op of the world's design that handles it and returns
 * the kernel's outcome. `applyEvent` mutates in place (replay's fast path); `reduce` is the pure
 * form. Ops check everything before they change anything, so a refused event leaves the state as
 * it was; test/model checks that with a digest comparison on random logs.
 */
import type { EventOf, EventType, ModelEvent } from '../events/types.js';
import { isIoctl } from '../events/schema.js';
import { refused, type Outcome } from '../model/outcome.js';
import { ARCH_ONLY, archRefusal } from '../events/arch.js';
import { eventPages, overFrameLimit } from './limits.js';
import { SUCCESS_CODES } from '../model/codes.js';
import { cloneWorld, type World } from '../model/world.js';
import { opsOf } from '../ops/registry.js';
import type { Ops } from '../ops/types.js';
import '../designs/index.js';

type Handler<K extends EventType> = (ops: Ops, w: World, e: EventOf<K>) => Outcome;

/** Which op handles each event type: every type must be listed (a missing one is a compile error). */
export const DISPATCH: { readonly [K in EventType]: Handler<K> } = {
  'host.boot': (o, w, e) => o.host.boot(w, e),
  'host.iommu.sync': (o, w, e) => o.vfio_iommu_type1.iommu_sync(w, e),
  'host.process.spawn': (o, w, e) => o.host.process_spawn(w, e),
  'host.rlimit.set': (o, w, e) => o.host.rlimit_set(w, e),
  'host.cap.set': (o, w, e) => o.host.cap_set(w, e),
  'host.pci.device.add': (o, w, e) => o.host.pci_device_add(w, e),
  'host.mm.migrate': (o, w, e) => o.mm.migrate(w, e),
  'host.vfio.dma_entry_limit': (o, w, e) => o.host.dma_entry_limit_set(w, e),
  'vmm.mmap': (o, w, e) => o.mm.mmap(w, e),
  'vmm.mem.write': (o, w, e) => o.mm.write(w, e),
  'vmm.kvm.create_vm': (o, w, e) => o.kvm.create_vm(w, e),
  'vmm.kvm.set_user_memory_region': (o, w, e) => o.kvm.set_user_memory_region(w, e),
  'vmm.kvm.close_vm': (o, w, e) => o.kvm.close_vm(w, e),
  'vmm.kvm.dirty_log.enable': (o, w, e) => o.kvm.dirty_log_enable(w, e),
  'vmm.kvm.dirty_log.get': (o, w, e) => o.kvm.dirty_log_get(w, e),
  'vmm.kvm.create_device': (o, w, e) => o.kvm_vfio.create(w, e),
  'vmm.kvm.vfio.file_add': (o, w, e) => o.kvm_vfio.file_add(w, e),
  'vmm.kvm.vfio.file_del': (o, w, e) => o.kvm_vfio.file_del(w, e),
  'vmm.kvm.vfio.set_spapr_tce': (o, w, e) => o.kvm_vfio.set_spapr_tce(w, e),
  'vmm.kvm.vfio.share_stage2': (o, w, e) => o.kvm_vfio.share_stage2(w, e),
  'vmm.kvm.device.close': (o, w, e) => o.kvm_vfio.release(w, e),
  'vmm.vfio.device.bind_sva': (o, w, e) => o.sva.bind(w, e),
  'vmm.vfio.device.unbind_sva': (o, w, e) => o.sva.unbind(w, e),
  'vmm.vfio.container.open': (o, w, e) => o.vfio.container_open(w, e),
  'vmm.vfio.container.close': (o, w, e) => o.vfio.container_close(w, e),
  'vmm.vfio.set_iommu': (o, w, e) => o.vfio.set_iommu(w, e),
  'vmm.vfio.group.open': (o, w, e) => o.vfio.group_open(w, e),
  'vmm.vfio.group.close': (o, w, e) => o.vfio.group_close(w, e),
  'vmm.vfio.group.set_container': (o, w, e) => o.vfio.set_container(w, e),
  'vmm.vfio.group.unset_container': (o, w, e) => o.vfio.unset_container(w, e),
  'vmm.vfio.group.get_device_fd': (o, w, e) => o.vfio.get_device_fd(w, e),
  'vmm.vfio.device.close': (o, w, e) => o.vfio.device_close(w, e),
  'vmm.vfio.dma.map': (o, w, e) => o.vfio.dma_map(w, e),
  'vmm.vfio.dma.unmap': (o, w, e) => o.vfio.dma_unmap(w, e),
  'vmm.vfio.spapr.register_memory': (o, w, e) => o.vfio_iommu_spapr_tce.register_memory(w, e),
  'vmm.vfio.spapr.unregister_memory': (o, w, e) => o.vfio_iommu_spapr_tce.unregister_memory(w, e),
  'vmm.vfio.spapr.tce_create': (o, w, e) => o.vfio_iommu_spapr_tce.create_window(w, e),
  'vmm.vfio.spapr.tce_remove': (o, w, e) => o.vfio_iommu_spapr_tce.remove_window(w, e),
  'vmm.kvm.create_spapr_tce_64': (o, w, e) => o.kvm_spapr_tce.create_table(w, e),
  'vmm.kvm.spapr_tce.close': (o, w, e) => o.kvm_spapr_tce.close_table(w, e),
  'guest.spapr.h_put_tce': (o, w, e) => o.kvm_spapr_tce.h_put_tce(w, e),
  'guest.spapr.h_put_tce_indirect': (o, w, e) => o.kvm_spapr_tce.h_put_tce_indirect(w, e),
  'guest.spapr.h_stuff_tce': (o, w, e) => o.kvm_spapr_tce.h_stuff_tce(w, e),
  'guest.spapr.h_get_tce': (o, w, e) => o.kvm_spapr_tce.h_get_tce(w, e),
  'vmm.s390.zpci.plug': (o, w, e) => o.zpci.plug(w, e),
  'vmm.kvm.s390.zpci_op': (o, w, e) => o.kvm_s390_pci.zpci_op(w, e),
  'guest.s390.clp.set_pci_fn': (o, w, e) => o.zpci.clp_set_pci_fn(w, e),
  'guest.s390.mpcifc': (o, w, e) => o.zpci.mpcifc(w, e),
  'guest.s390.rpcit': (o, w, e) => o.zpci.rpcit(w, e),
  'guest.s390.refresh_all': (o, w, e) => o.zpci.refresh_all(w, e),
  'guest.mem.write': (o, w, e) => o.kvm.guest_access(w, e.vm, e.gpa, e.data.length, e.data),
  'guest.mem.read': (o, w, e) => o.kvm.guest_access(w, e.vm, e.gpa, e.len),
  'device.dma.read': (o, w, e) => o.device.dma(w, e.device, e.iova, e.len),
  'device.dma.write': (o, w, e) => o.device.dma(w, e.device, e.iova, e.data.length, e.data),
};

/** Applies an event in place. Only the caller's world changes; a refusal changes nothing. */
export function applyEvent(w: World, e: ModelEvent): Outcome {
  // a guest instruction of another architecture never reaches KVM: the guest CPU raises its exception.
  const foreign = ARCH_ONLY[e.type]?.elsewhere === 'instruction' ? archRefusal(w.arch, e.type) : undefined;
  // work per event is bounded before any starts: over the run's page limit, nothing runs.
  const pages = foreign ? 0 : eventPages(w, e);
  const out = foreign ? refused(foreign) : pages > w.pageLimit || overFrameLimit(w, pages) ? refused('OVER_LIMIT') : (DISPATCH[e.type] as Handler<EventType>)(opsOf(w), w, e as EventOf<EventType>);
  w.stats.events++;
  if (isIoctl(e.type)) w.stats.ioctls++;
  if (!SUCCESS_CODES.has(out.code)) w.stats.refused++;
  return out;
}

/**
 * Pure: returns the next world and the outcome; the input world is not modified. A refused call
 * leaves the copy equal to the input, and some non-OK outcomes (cc 1 with a status, a walk error)
 * still change state, so the copy is always the answer.
 */
export function reduce(w: World, e: ModelEvent): { state: World; outcome: Outcome } {
  const next = cloneWorld(w);
  const outcome = applyEvent(next, e);
  return { state: next, outcome };
}
