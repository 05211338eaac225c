/**
 * Model-based test of type1 map/unmap, pinning, accounting and device DMA against a deliberately
 * simpler model: a list of mapped ranges and one byte per guest page, with pin counts derived
 * from the ranges. Commands pick IOVA and VMM pages from small ranges so they collide often.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../properties/index.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import type { World } from '../../src/model/world.js';
import { e, HVA, map, setupWorld, unmap } from '../support/fixture.js';

const LIMIT = 12;

interface Range {
  iova: number;
  pages: number;
  vpage: number;
  read: boolean;
  write: boolean;
}

interface Simple {
  ranges: Range[];
  /** Byte at offset 0 of each touched VMM page. */
  bytes: Map<number, number>;
  touched: Set<number>;
}

const covering = (m: Simple, iova: number) => m.ranges.find((r) => iova >= r.iova && iova < r.iova + r.pages);
const pinsOf = (m: Simple, vpage: number) => m.ranges.filter((r) => vpage >= r.vpage && vpage < r.vpage + r.pages).length;
const locked = (m: Simple) => m.ranges.reduce((n, r) => n + r.pages, 0);

function frameOf(w: World, vpage: number): number | undefined {
  return w.mms.get('qemu')!.pages.get(Number((HVA >> 12n) + BigInt(vpage)));
}

/** What the simple model says must hold of the real one after every command. */
function agree(m: Simple, w: World): void {
  expect(w.mms.get('qemu')!.lockedVm).toBe(locked(m));
  for (let v = 0; v < 24; v++) {
    const pfn = frameOf(w, v);
    expect(pfn === undefined ? 0 : (w.pins.get(pfn) ?? 0), `pins of vpage ${v}`).toBe(pinsOf(m, v));
  }
  expect(checkProperties(w)).toEqual([]);
}

type Cmd = fc.Command<Simple, World>;

class MapCmd implements Cmd {
  constructor(readonly iova: number, readonly pages: number, readonly vpage: number, readonly flags: number) {}
  check = () => true;
  run(m: Simple, w: World) {
    const clash = m.ranges.some((r) => r.iova < this.iova + this.pages && this.iova < r.iova + r.pages);
    const want = clash ? 'EEXIST' : locked(m) + this.pages > LIMIT ? 'ENOMEM' : 'OK';
    expect(applyEvent(w, map(this.iova, this.pages, this.vpage, this.flags)).code).toBe(want);
    if (want === 'OK') {
      m.ranges.push({ iova: this.iova, pages: this.pages, vpage: this.vpage, read: (this.flags & 1) !== 0, write: (this.flags & 2) !== 0 });
      for (let i = 0; i < this.pages; i++) m.touched.add(this.vpage + i);
    } else if (want === 'ENOMEM') {
      // vfio_pin_pages_remote faults each page in before it charges it: every page that fitted
      // and the one that did not stay faulted in (unpinned) after the map fails.
      for (let i = 0; i < Math.min(this.pages, LIMIT - locked(m) + 1); i++) m.touched.add(this.vpage + i);
    }
    agree(m, w);
  }
  toString = () => `map(iova=${this.iova}, pages=${this.pages}, vpage=${this.vpage}, flags=${this.flags})`;
}

class UnmapCmd implements Cmd {
  constructor(readonly iova: number, readonly pages: number) {}
  check = () => true;
  run(m: Simple, w: World) {
    const end = this.iova + this.pages;
    const first = covering(m, this.iova);
    const last = covering(m, end - 1);
    const bisects = (first && first.iova !== this.iova) || (last && last.iova + last.pages !== end);
    const out = applyEvent(w, unmap(this.iova, this.pages));
    if (bisects) expect(out.code).toBe('EINVAL');
    else {
      const gone = m.ranges.filter((r) => r.iova >= this.iova && r.iova + r.pages <= end);
      expect(out).toEqual({ code: 'OK', value: BigInt(gone.reduce((n, r) => n + r.pages, 0)) * 4096n });
      m.ranges = m.ranges.filter((r) => !gone.includes(r));
    }
    agree(m, w);
  }
  toString = () => `unmap(iova=${this.iova}, pages=${this.pages})`;
}

class DmaWriteCmd implements Cmd {
  constructor(readonly iova: number, readonly byte: number) {}
  check = () => true;
  run(m: Simple, w: World) {
    const r = covering(m, this.iova);
    const want = !r ? 'IOMMU_FAULT_NOT_PRESENT' : !r.write ? 'IOMMU_FAULT_WRITE' : 'OK';
    expect(applyEvent(w, e('device.dma.write', { device: 'nic0', iova: BigInt(this.iova) << 12n, data: Uint8Array.of(this.byte) })).code).toBe(want);
    if (r && want === 'OK') m.bytes.set(r.vpage + (this.iova - r.iova), this.byte);
    agree(m, w);
  }
  toString = () => `dmaWrite(iova=${this.iova}, byte=${this.byte})`;
}

class DmaReadCmd implements Cmd {
  constructor(readonly iova: number) {}
  check = () => true;
  run(m: Simple, w: World) {
    const r = covering(m, this.iova);
    const out = applyEvent(w, e('device.dma.read', { device: 'nic0', iova: BigInt(this.iova) << 12n, len: 1 }));
    if (!r) expect(out.code).toBe('IOMMU_FAULT_NOT_PRESENT');
    else if (!r.read) expect(out.code).toBe('IOMMU_FAULT_READ');
    else expect(out).toEqual({ code: 'OK', data: Uint8Array.of(m.bytes.get(r.vpage + (this.iova - r.iova)) ?? 0) });
  }
  toString = () => `dmaRead(iova=${this.iova})`;
}

class GuestWriteCmd implements Cmd {
  constructor(readonly vpage: number, readonly byte: number) {}
  check = () => true;
  run(m: Simple, w: World) {
    expect(applyEvent(w, e('guest.mem.write', { vm: 'vm0', gpa: BigInt(this.vpage) << 12n, data: Uint8Array.of(this.byte) })).code).toBe('OK');
    m.bytes.set(this.vpage, this.byte);
    m.touched.add(this.vpage);
    agree(m, w);
  }
  toString = () => `guestWrite(vpage=${this.vpage}, byte=${this.byte})`;
}

class MigrateCmd implements Cmd {
  constructor(readonly vpage: number) {}
  check = () => true;
  run(m: Simple, w: World) {
    const want = !m.touched.has(this.vpage) ? 'ENOENT' : pinsOf(m, this.vpage) > 0 ? 'EBUSY' : 'OK';
    const before = frameOf(w, this.vpage);
    expect(applyEvent(w, e('host.mm.migrate', { mm: 'qemu', hva: HVA + (BigInt(this.vpage) << 12n) })).code).toBe(want);
    if (want === 'OK') expect(frameOf(w, this.vpage)).not.toBe(before);
    const read = applyEvent(w, e('guest.mem.read', { vm: 'vm0', gpa: BigInt(this.vpage) << 12n, len: 1 }));
    expect(read.data).toEqual(Uint8Array.of(m.bytes.get(this.vpage) ?? 0));
    agree(m, w);
  }
  toString = () => `migrate(vpage=${this.vpage})`;
}

const iova = fc.integer({ min: 0, max: 15 });
const vpage = fc.integer({ min: 0, max: 19 });
const commands = [
  fc.tuple(iova, fc.integer({ min: 1, max: 4 }), vpage, fc.constantFrom(1, 2, 3)).map(([a, b, c, d]) => new MapCmd(a, b, c, d)),
  fc.tuple(iova, fc.integer({ min: 1, max: 6 })).map(([a, b]) => new UnmapCmd(a, b)),
  fc.tuple(iova, fc.integer({ min: 1, max: 255 })).map(([a, b]) => new DmaWriteCmd(a, b)),
  iova.map((a) => new DmaReadCmd(a)),
  fc.tuple(vpage, fc.integer({ min: 1, max: 255 })).map(([a, b]) => new GuestWriteCmd(a, b)),
  vpage.map((a) => new MigrateCmd(a)),
];

describe('type1 against a simple model', () => {
  it('should agree on outcomes, pins, locked_vm and DMA bytes for every command sequence', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
        fc.modelRun(() => ({ model: { ranges: [], bytes: new Map<number, number>(), touched: new Set<number>() }, real: setupWorld(LIMIT) }), cmds);
      }),
      { numRuns: 200 },
    );
  });
});
