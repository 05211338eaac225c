/**
 * The type1 IOMMU driver instance of a container: creation at SET_IOMMU, group attach/detach, and
 * release when the last group leaves (which removes every vfio_dma).
 */
import { TABLES } from '../../../machines/index.js';
import { refused, type Outcome } from '../../model/outcome.js';
import type { Container, Type1, World } from '../../model/world.js';
import { opsOf } from '../../ops/registry.js';
import { machineOf, stepMachine } from '../../ops/machines.js';
import type { Type1Ops } from '../../ops/types.js';
import { hostFormat } from '../../iommu/formats.js';
import { VFIO_KVM_IOMMU, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU } from '../uapi.js';
import { domainTableOwner } from '../../memory/owners.js';

const CONTAINER = TABLES['vfio-container'];
const DOMAIN = TABLES['iommu-domain'];

/** The container's type1 instance for a MAP/UNMAP ioctl, or the refusal the container gives. */
export function type1Of(w: World, id: string): { t1: Type1; container: Container } | Outcome {
  const container = w.containers.get(id);
  if (!container) return refused('EBADF');
  const st = CONTAINER.step(container.lc, 'IOMMU_IOCTL');
  if (st.code) return refused(st.code);
  return { t1: container.iommu!, container };
}

/** Whether this model's host offers the IOMMU type (CHECK_EXTENSION > 0); VFIO_KVM_IOMMU only existed for s390. */
export function isSupportedType1(w: World, iommu: number): boolean {
  return iommu === VFIO_TYPE1_IOMMU || iommu === VFIO_TYPE1v2_IOMMU || (iommu === VFIO_KVM_IOMMU && w.arch === 's390');
}

export const TYPE1_INSTANCE_OPS: Pick<Type1Ops, 'open' | 'release' | 'attach_group' | 'detach_group'> = {
  open(w, container, iommu) {
    const id = 'dom' + w.nextDomain++;
    const format = hostFormat(w.arch);
    const root = format.newRoot(w.frames, domainTableOwner(id));
    const owner = stepMachine(w, 'domain-owner', machineOf(w, 'domain-owner').initial, iommu === VFIO_KVM_IOMMU ? 'ALLOC_KVM' : 'ALLOC_UNMANAGED', id).target;
    w.domains.set(id, { id, type: iommu === VFIO_KVM_IOMMU ? 'kvm' : 'unmanaged', format: format.name, container: container.id, root, tables: [], owner });
    return { v2: iommu === VFIO_TYPE1v2_IOMMU, kvm: iommu === VFIO_KVM_IOMMU, domain: id, dmas: [], dmaAvail: w.dmaEntryLimit, entryLimit: w.dmaEntryLimit };
  },

  /** vfio_iommu_type1_attach_group: the group (already DMA-owned by VFIO) joins the domain. */
  attach_group(_w, t1, g) {
    g.dmaLc = DOMAIN.step(g.dmaLc, 'ATTACH').target;
    g.domain = t1.domain;
  },

  /** vfio_iommu_type1_detach_group: the group goes back to the blocking domain. */
  detach_group(_w, g) {
    g.dmaLc = DOMAIN.step(g.dmaLc, 'DETACH').target;
    g.domain = undefined;
  },

  release(w, container) {
    const t1 = container.iommu;
    if (!t1) return;
    const ops = opsOf(w);
    for (const dma of t1.dmas.slice()) ops.vfio_iommu_type1.remove_dma(w, t1, dma);
    ops.iommu.domain_free(w, w.domains.get(t1.domain)!);
    container.iommu = undefined;
  },
};
