/**
 * The reducer: applies one event to the world and returns the kernel's outcome. `applyEvent`
 * mutates in place (replay's fast path); `reduce` is the pure form. Handlers check everything
 * before they change anything, so a refused event leaves the state as it was; test/model checks
 * that with a digest comparison on random logs.
 */
import type { ModelEvent } from '../events/types.js';
import { isIoctl } from '../events/schema.js';
import { containerClose, containerOpen, setIommu } from '../vfio/container.js';
import { deviceClose, getDeviceFd, groupClose, groupOpen, setContainer, unsetContainer } from '../vfio/group.js';
import { dmaMap } from '../vfio/type1/map.js';
import { dmaUnmap, iommuSync } from '../vfio/type1/unmap.js';
import { createDevice, deviceRelease, fileAdd, fileDel } from '../kvm/kvm-vfio.js';
import { closeVm, createVm, guestAccess, setUserMemoryRegion } from '../kvm/vm.js';
import { deviceDma } from './device-dma.js';
import { dirtyLogEnable, dirtyLogGet } from '../kvm/dirty-log.js';
import { shareStage2 } from '../kvm/stage2/shared.js';
import { bindSva, unbindSva } from '../iommu/sva.js';
import { clpSetPciFn, zpciPlug } from '../s390/zpci.js';
import { mpcifc } from '../s390/mpcifc.js';
import { refreshAll, rpcitEvent } from '../s390/rpcit.js';
import { zpciOp } from '../s390/aen.js';
import { closeTceTable, createTceTable } from '../spapr/tce-table.js';
import { registerMemory, spaprMap, spaprUnmap, tceCreate, tceRemove, unregisterMemory } from '../spapr/container.js';
import { setSpaprTce } from '../spapr/binding.js';
import { hGetTce, hPutTce, hPutTceIndirect, hStuffTce } from '../spapr/hcalls.js';
import { boot, capSet, dmaEntryLimitSet, mmMigrate, pciDeviceAdd, processSpawn, rlimitSet } from './host.js';
import type { Outcome } from './outcome.js';
import { SUCCESS_CODES } from './codes.js';
import { mmap, vmmMemWrite } from './vmm-memory.js';
import { cloneWorld, type World } from './world.js';

function dispatch(w: World, e: ModelEvent): Outcome {
  switch (e.type) {
    case 'host.boot':
      return boot(w, e);
    case 'vmm.s390.zpci.plug':
      return zpciPlug(w, e);
    case 'vmm.kvm.s390.zpci_op':
      return zpciOp(w, e);
    case 'guest.s390.clp.set_pci_fn':
      return clpSetPciFn(w, e);
    case 'guest.s390.mpcifc':
      return mpcifc(w, e);
    case 'guest.s390.rpcit':
      return rpcitEvent(w, e);
    case 'guest.s390.refresh_all':
      return refreshAll(w, e);
    case 'host.iommu.sync':
      return iommuSync(w, e);
    case 'vmm.kvm.create_spapr_tce_64':
      return createTceTable(w, e);
    case 'vmm.kvm.spapr_tce.close':
      return closeTceTable(w, e);
    case 'guest.spapr.h_put_tce':
      return hPutTce(w, e);
    case 'guest.spapr.h_put_tce_indirect':
      return hPutTceIndirect(w, e);
    case 'guest.spapr.h_stuff_tce':
      return hStuffTce(w, e);
    case 'guest.spapr.h_get_tce':
      return hGetTce(w, e);
    case 'host.process.spawn':
      return processSpawn(w, e);
    case 'host.rlimit.set':
      return rlimitSet(w, e);
    case 'host.cap.set':
      return capSet(w, e);
    case 'host.pci.device.add':
      return pciDeviceAdd(w, e);
    case 'host.mm.migrate':
      return mmMigrate(w, e);
    case 'host.vfio.dma_entry_limit':
      return dmaEntryLimitSet(w, e);
    case 'vmm.mmap':
      return mmap(w, e);
    case 'vmm.mem.write':
      return vmmMemWrite(w, e);
    case 'vmm.kvm.create_vm':
      return createVm(w, e);
    case 'vmm.kvm.set_user_memory_region':
      return setUserMemoryRegion(w, e);
    case 'vmm.kvm.close_vm':
      return closeVm(w, e);
    case 'vmm.kvm.dirty_log.enable':
      return dirtyLogEnable(w, e);
    case 'vmm.kvm.dirty_log.get':
      return dirtyLogGet(w, e);
    case 'vmm.kvm.vfio.share_stage2':
      return shareStage2(w, e);
    case 'vmm.vfio.device.bind_sva':
      return bindSva(w, e);
    case 'vmm.vfio.device.unbind_sva':
      return unbindSva(w, e);
    case 'vmm.kvm.create_device':
      return createDevice(w, e);
    case 'vmm.kvm.vfio.file_add':
      return fileAdd(w, e);
    case 'vmm.kvm.vfio.file_del':
      return fileDel(w, e);
    case 'vmm.kvm.vfio.set_spapr_tce':
      return setSpaprTce(w, e);
    case 'vmm.kvm.device.close':
      return deviceRelease(w, e);
    case 'vmm.vfio.container.open':
      return containerOpen(w, e);
    case 'vmm.vfio.container.close':
      return containerClose(w, e);
    case 'vmm.vfio.set_iommu':
      return setIommu(w, e);
    case 'vmm.vfio.group.open':
      return groupOpen(w, e);
    case 'vmm.vfio.group.close':
      return groupClose(w, e);
    case 'vmm.vfio.group.set_container':
      return setContainer(w, e);
    case 'vmm.vfio.group.unset_container':
      return unsetContainer(w, e);
    case 'vmm.vfio.group.get_device_fd':
      return getDeviceFd(w, e);
    case 'vmm.vfio.device.close':
      return deviceClose(w, e);
    case 'vmm.vfio.dma.map':
      return w.containers.get(e.container)?.spapr ? spaprMap(w, e) : dmaMap(w, e);
    case 'vmm.vfio.dma.unmap':
      return w.containers.get(e.container)?.spapr ? spaprUnmap(w, e) : dmaUnmap(w, e);
    case 'vmm.vfio.spapr.register_memory':
      return registerMemory(w, e);
    case 'vmm.vfio.spapr.unregister_memory':
      return unregisterMemory(w, e);
    case 'vmm.vfio.spapr.tce_create':
      return tceCreate(w, e);
    case 'vmm.vfio.spapr.tce_remove':
      return tceRemove(w, e);
    case 'guest.mem.write':
      return guestAccess(w, e.vm, e.gpa, e.data.length, e.data);
    case 'guest.mem.read':
      return guestAccess(w, e.vm, e.gpa, e.len);
    case 'device.dma.read':
      return deviceDma(w, e.device, e.iova, e.len);
    case 'device.dma.write':
      return deviceDma(w, e.device, e.iova, e.data.length, e.data);
    default: {
      const never: never = e;
      throw new Error(`unhandled event ${(never as ModelEvent).type}`);
    }
  }
}

/** Applies an event in place. Only the caller's world changes; a refusal changes nothing. */
export function applyEvent(w: World, e: ModelEvent): Outcome {
  const out = dispatch(w, e);
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
