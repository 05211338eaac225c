/** Peak memory for a VM with 64 GiB of configured RAM of which a few MiB are touched. */
import { ev } from '../events/types.js';
import { applyEvent } from '../kernel/reduce.js';
import { emptyWorld } from '../model/world.js';
import { pageCount } from '../memory/frames.js';

const GiB = 1n << 30n;
const HVA = 0x7f00_0000_0000n;

/** Live JS heap plus ArrayBuffer storage (where frame bytes live), after a GC. */
function liveMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

export function memoryBench(): void {
  const before = liveMiB();
  const w = emptyWorld();
  const run = (e: Parameters<typeof applyEvent>[1]) => {
    const o = applyEvent(w, e);
    if (o.code !== 'OK') throw new Error(`${e.type}: ${o.code}`);
  };
  run(ev('host.process.spawn', { mm: 'qemu', memlock: 1n << 40n }));
  run(ev('host.pci.device.add', { device: 'nic0', group: 'g7' }));
  run(ev('vmm.mmap', { mm: 'qemu', hva: HVA, size: 64n * GiB }));
  run(ev('vmm.kvm.create_vm', { vm: 'vm0', mm: 'qemu' }));
  run(ev('vmm.kvm.set_user_memory_region', { vm: 'vm0', slot: 0, gpa: 0n, size: 64n * GiB, hva: HVA }));
  run(ev('vmm.vfio.container.open', { container: 'c0', mm: 'qemu' }));
  run(ev('vmm.vfio.group.open', { group: 'g7', mm: 'qemu' }));
  run(ev('vmm.vfio.group.set_container', { group: 'g7', container: 'c0' }));
  run(ev('vmm.vfio.set_iommu', { container: 'c0', iommu: 3 }));
  // touch 4 MiB spread over the whole 64 GiB: 1024 guest pages written, 256 of them mapped for DMA.
  const data = new Uint8Array(64).fill(0xa5);
  for (let i = 0; i < 1024; i++) {
    const gpa = BigInt(i) * 64n * 1024n * 1024n + BigInt(i % 7) * 4096n;
    run(ev('guest.mem.write', { vm: 'vm0', gpa, data }));
    if (i % 4 === 0) run(ev('vmm.vfio.dma.map', { container: 'c0', vaddr: HVA + gpa, iova: gpa, size: 4096n }));
  }
  const after = liveMiB();
  const frames = pageCount(w.frames);
  console.log(
    `64 GiB guest, 1024 pages (4 MiB) touched, 256 mapped: ${frames} frames hold bytes; ` +
      `live heap + buffers grew ${(after - before).toFixed(1)} MiB; process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
}
