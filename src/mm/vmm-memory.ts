/** The VMM's own memory: anonymous mmap and writes through its virtual addresses. */
import { PAGE_MASK_N, PAGE_SIZE, pageOf } from '../memory/constants.js';
import { frameForWrite } from '../memory/frames.js';
import { firstUnmapped, insertVma, overlapsVma, type Mm } from '../memory/mm.js';
import type { EventOf } from '../events/types.js';
import { U64_MAX } from '../util/hex.js';
import { OK, refused, type Outcome } from '../model/outcome.js';
import { opsOf } from '../ops/registry.js';
import type { World } from '../model/world.js';

/** mmap(MAP_ANONYMOUS|MAP_FIXED_NOREPLACE): EINVAL for unaligned or empty, ENOMEM past the top, EEXIST on overlap. */
export function mmap(w: World, e: EventOf<'vmm.mmap'>): Outcome {
  const mm = w.mms.get(e.mm);
  if (!mm) return refused('ESRCH');
  if ((e.hva & PAGE_MASK_N) !== 0n || e.size === 0n) return refused('EINVAL');
  const size = (e.size + PAGE_MASK_N) & ~PAGE_MASK_N;
  if (size > U64_MAX || e.hva + size - 1n > U64_MAX) return refused('ENOMEM');
  const start = pageOf(e.hva);
  const end = start + pageOf(size);
  if (overlapsVma(mm, start, end)) return refused('EEXIST');
  insertVma(mm, { start, end });
  return OK;
}

/** Writes bytes at a virtual address of `mm`, faulting pages in; EFAULT (nothing written) if any page is unmapped. */
export function writeVirtual(w: World, mm: Mm, addr: bigint, data: Uint8Array): Outcome {
  if (data.length === 0) return OK;
  if (addr + BigInt(data.length) - 1n > U64_MAX) return refused('EFAULT');
  const first = pageOf(addr);
  const last = pageOf(addr + BigInt(data.length) - 1n);
  if (firstUnmapped(mm, first, last - first + 1) >= 0) return refused('EFAULT');
  let off = Number(addr & PAGE_MASK_N);
  let done = 0;
  for (let page = first; page <= last; page++) {
    const n = Math.min(PAGE_SIZE - off, data.length - done);
    frameForWrite(w.frames, opsOf(w).mm.fault_in(w, mm, page), off, n).set(data.subarray(done, done + n), off);
    done += n;
    off = 0;
  }
  return OK;
}

export function vmmMemWrite(w: World, e: EventOf<'vmm.mem.write'>): Outcome {
  const mm = w.mms.get(e.mm);
  if (!mm) return refused('ESRCH');
  return writeVirtual(w, mm, e.hva, e.data);
}
