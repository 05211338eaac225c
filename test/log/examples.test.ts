import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/read-log.js';
import { replay } from '../../src/log/replay.js';
import { digest } from '../../src/model/digest.js';

const DIR = join(import.meta.dirname, '../../examples');
// the top-level walkthroughs and the fidelity logs (one per kernel answer the model follows).
const files = [...readdirSync(DIR), ...readdirSync(join(DIR, 'fidelity')).map((f) => `fidelity/${f}`)].filter((f) => f.endsWith('.jsonl'));

function load(file: string) {
  const r = readLog(readFileSync(join(DIR, file), 'utf8'), file);
  if (!r.ok) throw r.error;
  return r.entries;
}

describe('bundled example logs', () => {
  it.each(files)('%s should replay with every expectation met and no violation', (file) => {
    const entries = load(file);
    const result = replay(entries);
    const failures = result.steps.filter((s) => s.mismatch).map((s) => `line ${s.line}: ${s.mismatch}`);
    expect(failures).toEqual([]);
    expect(result.violated).toBeUndefined();
    expect(result.steps.length).toBe(entries.length);
    expect(entries.filter((x) => x.expect).length).toBeGreaterThan(0);
  });

  it.each(files)('%s should give the same digest on every replay', (file) => {
    expect(digest(replay(load(file)).world)).toBe(digest(replay(load(file)).world));
  });

  it('should exercise every MAP_DMA, UNMAP_DMA and lifecycle errno path', () => {
    const seen = new Set<string>();
    for (const f of files) for (const x of load(f)) if (x.expect) seen.add(`${x.event.type} ${x.expect.code}`);
    const required = [
      'vmm.vfio.dma.map EINVAL', 'vmm.vfio.dma.map EEXIST', 'vmm.vfio.dma.map ENOSPC', 'vmm.vfio.dma.map ENOMEM',
      'vmm.vfio.dma.map EFAULT', 'vmm.vfio.dma.map ENOENT', 'vmm.vfio.dma.map EBADF',
      'vmm.vfio.dma.unmap EINVAL', 'vmm.vfio.dma.unmap OK', 'vmm.vfio.dma.unmap EBADF',
      'vmm.vfio.group.open EBUSY', 'vmm.vfio.group.close EBADF', 'vmm.vfio.group.set_container EINVAL',
      'vmm.vfio.group.set_container EBADF', 'vmm.vfio.group.set_container EPERM', 'vmm.vfio.group.unset_container EINVAL',
      'vmm.vfio.group.unset_container EBUSY', 'vmm.vfio.group.get_device_fd EINVAL', 'vmm.vfio.group.get_device_fd ENODEV',
      'vmm.vfio.device.close EBADF', 'vmm.vfio.set_iommu EINVAL', 'vmm.vfio.set_iommu ENODEV', 'vmm.vfio.container.close EBADF',
      'vmm.kvm.create_device EBUSY', 'vmm.kvm.vfio.file_add EEXIST', 'vmm.kvm.vfio.file_add EBADF', 'vmm.kvm.vfio.file_del ENOENT',
      'vmm.kvm.set_user_memory_region EINVAL', 'vmm.kvm.set_user_memory_region EEXIST', 'host.mm.migrate EBUSY',
      'device.dma.read IOMMU_FAULT_NOT_PRESENT',
    ];
    expect(required.filter((r) => !seen.has(r))).toEqual([]);
  });

  it('should show a device DMA write landing in the guest bytes', () => {
    const entries = load('type1-dma-walkthrough.jsonl');
    const steps = replay(entries).steps;
    const write = steps.findIndex((s) => s.type === 'device.dma.write');
    const read = steps.slice(write).find((s) => s.type === 'guest.mem.read')!;
    expect(Buffer.from(read.outcome.data!).toString('hex')).toBe('deadbeefcafef00d');
  });
});
