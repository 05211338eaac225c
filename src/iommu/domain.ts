/**
 * The reference iommu ops: the IOMMU core's domain check and the iommu_domain_ops of a paging
 * domain, writing leaves in the domain's table format (VT-d second stage or the s390 host table).
 */
import { stepMachine } from '../ops/machines.js';
import type { IommuOps, Refusal } from '../ops/types.js';
import { FORMATS } from './formats.js';
import { domainTableOwner } from '../memory/owners.js';

export const IOMMU_OPS: IommuOps = {
  // a KVM-owned domain (IOMMU_DOMAIN_KVM, v4 patch 14/32) changes only through KVM's shadowing:
  // the domain-owner machine says which callers each owner accepts.
  domain_owner_check: (w, dom, caller) => stepMachine(w, 'domain-owner', dom.owner, caller === 'kvm' ? 'KVM_MAP' : 'USER_MAP', dom.id).code as Refusal,

  map_pages(w, dom, iovaPage, pfns, read, write) {
    const format = FORMATS[dom.format];
    for (let i = 0; i < pfns.length; i++) format.map(w.frames, dom.root, iovaPage + i, pfns[i], read, write, domainTableOwner(dom.id), dom.tables);
  },

  unmap_pages(w, dom, iovaPage, pages) {
    const format = FORMATS[dom.format];
    for (let i = 0; i < pages; i++) format.unmap(w.frames, dom.root, iovaPage + i);
  },

  iotlb_sync(w) {
    // the model keeps no IOTLB for paging domains: devices walk the table bytes, so the sync is counted only.
    w.stats.iotlbFlushes++;
  },

  domain_free(w, dom) {
    dom.owner = stepMachine(w, 'domain-owner', dom.owner, 'FREE', dom.id).target;
    FORMATS[dom.format].free(w.frames, dom.root, dom.tables);
    w.domains.delete(dom.id);
  },
};
