/** The JSONL lines of a minimal type1 setup (process q, device d0 in group g1, container c0 with type1v2), for CLI-level log tests. */
export const SETUP_LINES = [
  '{"type":"host.process.spawn","mm":"q"}',
  '{"type":"host.pci.device.add","device":"d0","group":"g1"}',
  '{"type":"vmm.mmap","mm":"q","hva":"0x10000","size":"0x4000"}',
  '{"type":"vmm.vfio.container.open","container":"c0","mm":"q"}',
  '{"type":"vmm.vfio.group.open","group":"g1","mm":"q"}',
  '{"type":"vmm.vfio.group.set_container","group":"g1","container":"c0"}',
  '{"type":"vmm.vfio.set_iommu","container":"c0","iommu":3}',
];
