/**
 * An s390 guest with one zPCI function, enabled, tables built in guest memory through events:
 * region table at 0x10000 (RTE[2] covers IOVA 4 GiB..6 GiB), segment table at 0x14000, page table
 * at 0x18000 with PTE[0..15] invalid, FIB at 0x1000 registering pba 4 GiB .. pal 4 GiB + 64 KiB - 1.
 */
import { ev, type ModelEvent } from '../../src/events/types.js';
import { s390GuestEvents, u64be } from '../../src/check/scenarios/s390-guest.js';
import { applyEvent } from '../../src/kernel/reduce.js';
import { emptyWorld, type World } from '../../src/model/world.js';
import { ok } from '../support/fixture.js';

export const FH = 0x80000001;
export const IOVA = 0x1_0000_0000n;
export const RT = 0x10000n;
export const ST = 0x14000n;
export const PT = 0x18000n;
export const FIB_GPA = 0x1000n;
export const BUF = 0x200000n;
export const HVA = 0x3ff_0000_0000n;
export type Design = 'userspace' | 'kvm-shadow';

export { u64be };

export function fib(pba: bigint, pal: bigint, iota: bigint, fmt = 0): Uint8Array {
  const b = new Uint8Array(80);
  const dv = new DataView(b.buffer);
  b[0] = fmt;
  dv.setBigUint64(16, pba, false);
  dv.setBigUint64(24, pal, false);
  dv.setBigUint64(32, iota, false);
  return b;
}

export const write = (gpa: bigint, data: Uint8Array) => ev('guest.mem.write', { vm: 'vm0', gpa, data });
export const rpcit = (iova: bigint, len: bigint, fh = FH) => ev('guest.s390.rpcit', { vm: 'vm0', fh, iova, len });
export const mpcifc = (fc: 'reg_ioat' | 'dereg_ioat' | 'rereg_ioat' | 'reset_error' | 'reset_block', fibGpa = FIB_GPA, dmaas = 0) =>
  ev('guest.s390.mpcifc', { vm: 'vm0', fh: FH, fc, fib: fibGpa, dmaas });
export const pte = (i: number, value: bigint) => write(PT + BigInt(i) * 8n, u64be(value));

export function s390Events(design: Design, memlockPages = 4096, extra: { dmaEntryLimit?: number } = {}): ModelEvent[] {
  return s390GuestEvents({ design, pages: 16, memlockPages, dmaEntryLimit: extra.dmaEntryLimit });
}

/** The guest set up with its IOAT registered. */
export function s390World(design: Design, memlockPages = 4096, extra: { dmaEntryLimit?: number } = {}): World {
  const w = emptyWorld();
  for (const e of s390Events(design, memlockPages, extra)) {
    const o = applyEvent(w, e);
    if (o.code !== 'OK' && o.code !== 'CLP_RC_OK') throw new Error(`${e.type}: ${o.code}`);
  }
  ok2(w, mpcifc('reg_ioat'));
  return w;
}

function ok2(w: World, e: ModelEvent) {
  const o = applyEvent(w, e);
  if (o.code !== 'CC0') throw new Error(`${e.type}: ${o.code}`);
}

export { ok };
