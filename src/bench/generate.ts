/**
 * Generates the benchmark log: a passthrough setup, then cycles of MAP_DMA, device DMA write and
 * read, UNMAP_DMA over a bounded window of live mappings. Deterministic (no randomness).
 */
const HVA = 0x7f00_0000_0000n;

export function benchLog(cycles: number, window = 64): string[] {
  const lines = [
    '{"type":"host.process.spawn","mm":"qemu","memlock":"0x40000000"}',
    '{"type":"host.pci.device.add","device":"nic0","group":"g7"}',
    `{"type":"vmm.mmap","mm":"qemu","hva":"0x${HVA.toString(16)}","size":"0x4000000"}`,
    '{"type":"vmm.kvm.create_vm","vm":"vm0","mm":"qemu"}',
    `{"type":"vmm.kvm.set_user_memory_region","vm":"vm0","slot":0,"gpa":"0x0","size":"0x4000000","hva":"0x${HVA.toString(16)}"}`,
    '{"type":"vmm.vfio.container.open","container":"c0","mm":"qemu"}',
    '{"type":"vmm.vfio.group.open","group":"g7","mm":"qemu"}',
    '{"type":"vmm.vfio.group.set_container","group":"g7","container":"c0"}',
    '{"type":"vmm.vfio.set_iommu","container":"c0","iommu":3}',
    '{"type":"vmm.vfio.group.get_device_fd","group":"g7","device":"nic0","fd":"f0"}',
  ];
  for (let i = 0; i < cycles; i++) {
    const slot = i % window;
    const pages = 1 + (i % 4);
    const iova = `0x${(slot * 0x10000).toString(16)}`;
    const vaddr = `0x${(HVA + BigInt(((i * 7) % 4096) * 4096)).toString(16)}`;
    lines.push(`{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"${vaddr}","iova":"${iova}","size":"0x${(pages * 4096).toString(16)}"}`);
    lines.push(`{"type":"device.dma.write","device":"nic0","iova":"${iova}","data":"${(i & 0xffff).toString(16).padStart(8, '0')}"}`);
    lines.push(`{"type":"device.dma.read","device":"nic0","iova":"${iova}","len":4}`);
    lines.push(`{"type":"vmm.vfio.dma.unmap","container":"c0","iova":"${iova}","size":"0x${(pages * 4096).toString(16)}"}`);
  }
  return lines;
}

/**
 * The log lines of a type1 passthrough without a VM: process qemu (`process`: its other spawn
 * fields) with `bytes` mapped at `hva`, device nic0 of group g7 in type1v2 container c0, its fd f0.
 */
export function type1Setup(o: { process: string; hva: bigint; bytes: bigint }): string[] {
  return [
    `{"type":"host.process.spawn","mm":"qemu",${o.process}}`,
    '{"type":"host.pci.device.add","device":"nic0","group":"g7"}',
    `{"type":"vmm.mmap","mm":"qemu","hva":"0x${o.hva.toString(16)}","size":"0x${o.bytes.toString(16)}"}`,
    '{"type":"vmm.vfio.container.open","container":"c0","mm":"qemu"}',
    '{"type":"vmm.vfio.group.open","group":"g7","mm":"qemu"}',
    '{"type":"vmm.vfio.group.set_container","group":"g7","container":"c0"}',
    '{"type":"vmm.vfio.set_iommu","container":"c0","iommu":3}',
    '{"type":"vmm.vfio.group.get_device_fd","group":"g7","device":"nic0","fd":"f0"}',
  ];
}

/** What the events after a large mapping do: device reads, device writes, or 1-page MAP_DMA/UNMAP_DMA pairs elsewhere. */
export type MappedWork = 'dma-read' | 'dma-write' | 'map-unmap';

/**
 * A type1 passthrough setup with `mib` MiB mapped in one MAP_DMA, then `n` events of one kind
 * spread over the mapping: how replay's cost per event depends on what is mapped.
 */
export function mappedLog(mib: number, work: MappedWork, n: number): { lines: string[]; setup: number } {
  const bytes = mib * 0x10_0000;
  const lines = [
    ...type1Setup({ process: '"memlock":"0x100000000"', hva: HVA, bytes: BigInt(bytes) + 0x100000n }),
    `{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x${HVA.toString(16)}","iova":"0x0","size":"0x${bytes.toString(16)}"}`,
  ];
  const setup = lines.length;
  for (let i = 0; i < n; i++) {
    const iova = `0x${((i * 0x101000) % bytes).toString(16)}`;
    if (work === 'dma-read') lines.push(`{"type":"device.dma.read","device":"nic0","iova":"${iova}","len":4}`);
    else if (work === 'dma-write') lines.push(`{"type":"device.dma.write","device":"nic0","iova":"${iova}","data":"${(i & 0xffff).toString(16).padStart(8, '0')}"}`);
    else {
      // a page past the big mapping, mapped and unmapped in turn.
      const extra = `0x${(bytes + (i >> 1) % 64 * 0x1000).toString(16)}`;
      const vaddr = `0x${(HVA + BigInt(bytes) + BigInt(((i >> 1) % 64) * 4096)).toString(16)}`;
      lines.push(i % 2 === 0
        ? `{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"${vaddr}","iova":"${extra}","size":"0x1000"}`
        : `{"type":"vmm.vfio.dma.unmap","container":"c0","iova":"${extra}","size":"0x1000"}`);
    }
  }
  return { lines, setup };
}
