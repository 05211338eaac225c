/**
 * The pages one event may touch are bounded before any work starts (kernel/limits.ts): the
 * inputs of the reliability report that hung or aborted the model are refused at once, in the
 * reducer (the model-only OVER_LIMIT, changing nothing) and in a log (an input error naming the
 * line, the field, the limit and how to raise it). Inputs are bounded in size, a device or pipe
 * included; a byte-order mark is accepted and "-" reads standard input.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyEvent } from '../../src/kernel/reduce.js';
import { eventPages, pagesOf } from '../../src/kernel/limits.js';
import { digest } from '../../src/model/digest.js';
import { DEFAULT_PAGES_PER_EVENT } from '../../src/model/page-limit.js';
import { main } from '../../src/cli/main.js';
import { limitsOf } from '../../src/cli/commands/replay.js';
import { type1Setup } from '../../src/bench/generate.js';
import type { Io } from '../../src/cli/io.js';
import { e, HVA, ok, setupWorld } from '../support/fixture.js';
import { IOVA, rpcit, s390World } from '../s390/fixture.js';

const BIN = join(import.meta.dirname, '../../bin/vkm.js');
const WALK = readFileSync(join(import.meta.dirname, '../../examples/type1-dma-walkthrough.jsonl'), 'utf8').split('\n').slice(0, 15);

async function replayText(text: string, ...extra: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), readFile: () => text, writeFile: () => {}, now: () => 0, memoryMiB: () => 0, interrupted: () => false };
  const code = await main(['replay', 'l.jsonl', ...extra], io);
  return { code, out, err: err.join('\n') };
}

describe('pages per event', () => {
  it.prop([fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.oneof(fc.bigInt({ min: -1n, max: 1n << 20n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }))], { numRuns: 500 })(
    'should count the pages of a range as u64 arithmetic does, in numbers or not',
    (start, bytes) => {
      const n = bytes <= 0n ? 0n : ((start + bytes - 1n) >> 12n) - (start >> 12n) + 1n;
      expect(pagesOf(start, bytes)).toBe(n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));
    },
  );

  it.prop([fc.bigInt({ min: BigInt(DEFAULT_PAGES_PER_EVENT) + 1n, max: 1n << 52n })])('should refuse a MAP_DMA over the limit with OVER_LIMIT before pinning anything, CAP_IPC_LOCK or not', (pages) => {
    const w = setupWorld();
    ok(w, e('host.cap.set', { mm: 'qemu', capIpcLock: true }));
    const before = digest(w);
    const map = e('vmm.vfio.dma.map', { container: 'c0', iova: 0n, vaddr: HVA, size: pages << 12n, flags: 3 });
    expect(eventPages(w, map)).toBe(Number(pages));
    expect(applyEvent(w, map).code).toBe('OVER_LIMIT');
    expect(digest(w)).toBe(before);
  });

  it('should answer the reliability report\'s dirty-log input at once, as an input error naming the limit', async () => {
    const lines = [
      ...WALK,
      '{"type":"vmm.mmap","mm":"qemu","hva":"0x100000000000","size":"0x7fffffff000"}',
      '{"type":"vmm.kvm.set_user_memory_region","vm":"vm0","slot":3,"gpa":"0x100000000000","size":"0x7fffffff000","hva":"0x100000000000"}',
      '{"type":"vmm.kvm.dirty_log.enable","vm":"vm0","slot":3}',
      '{"type":"vmm.kvm.dirty_log.get","vm":"vm0","slot":3}',
    ];
    const r = await replayText(lines.join('\n'), '--json');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`vkm: l.jsonl:18: field "slot": vmm.kvm.dirty_log.enable asks to touch 2147483647 pages, more than this run's limit of 65536; raise it with --limit pages-per-event=N (at most 67108864)`);
    expect(r.out).toEqual([]);
  });

  it('should let --limit raise the bound, and refuse a malformed or out-of-range --limit', async () => {
    const lines = [...WALK, '{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x7f0000000000","iova":"0x10000000","size":"0x10001000","flags":3,"comment":"65537 pages"}'];
    expect((await replayText(lines.join('\n'))).err).toContain('asks to touch 65537 pages');
    const raised = await replayText(lines.join('\n'), '--limit', 'pages-per-event=70000', '--quiet');
    expect(raised.err).not.toContain('asks to touch');
    for (const bad of ['pages=5', 'pages-per-event=0', 'pages-per-event=99999999999', 'pages-per-event=1.5']) {
      const r = await replayText(lines.join('\n'), '--limit', bad);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain('--limit takes pages-per-event=N (1 to 67108864, default 65536) and/or frames=N (256 to 4194304, default 262144)');
    }
  });

  it('should bound an RPCIT over a guest-built range and a guest or device read of 4 GiB', () => {
    const w = setupWorld();
    expect(applyEvent(w, e('guest.mem.read', { vm: 'vm0', gpa: 0n, len: 0xffff_ffff })).code).toBe('OVER_LIMIT');
    expect(applyEvent(w, e('device.dma.read', { device: 'nic0', iova: 0n, len: 0xffff_ffff })).code).toBe('OVER_LIMIT');
    // an RPCIT walks only a range inside the registered pba..pal; the guest builds that range.
    const big = s390World('kvm-shadow');
    const f = big.zpci.get('zpci0')!;
    // as a guest's FIB registering pba .. pba + 0x3ff00000000 - 1 (inside sdma..edma) leaves it.
    f.ioat = { ...f.ioat!, pal: f.ioat!.pba + 0x3ff00000000n - 1n };
    expect(applyEvent(big, rpcit(IOVA, 0x3ff00000000n)).code).toBe('OVER_LIMIT');
    expect(applyEvent(big, rpcit(IOVA, 0x1000n)).code).toBe('CC0');
    // a read inside the bound is answered by the kernel as before.
    expect(applyEvent(w, e('guest.mem.read', { vm: 'vm0', gpa: 0n, len: 8 })).code).toBe('OK');
  });
});

describe('the reliability report\'s hang', () => {
  it('should answer a migration to pfn 0x200000 after the first 18 lines of the SVA cost log at once (EINVAL: past the host\'s frames)', async () => {
    const text = readFileSync(join(import.meta.dirname, '../../examples/cost/x86-sva-pri.jsonl'), 'utf8').split('\n').slice(0, 18);
    const touch = '{"type":"vmm.mem.write","mm":"qemu","hva":"0x7f0000000000","data":"01"}';
    const r = await replayText([...text, touch, '{"type":"host.mm.migrate","mm":"qemu","hva":"0x7f0000000000","pfn":"0x200000","expect":"EINVAL"}'].join('\n'), '--quiet');
    expect(r.code, r.err).toBe(0);
  });
});

describe('host frames in use', () => {
  const GiB = 0x4000_0000n;
  const maps = (count: number) => Array.from({ length: count }, (_, k) =>
    `{"type":"vmm.vfio.dma.map","container":"c0","vaddr":"0x${(0x100000000000n + BigInt(k) * 0x1000_0000n).toString(16)}","iova":"0x${(BigInt(k) * 0x1000_0000n).toString(16)}","size":"0x10000000"}`);
  const setup = type1Setup({ process: '"capIpcLock":true', hva: 0x100000000000n, bytes: 2n * GiB });

  it('should refuse the MAP_DMA that could take the host past its 1 GiB, as an input error naming the limit, and take it with the limit raised', async () => {
    // 256 MiB each with CAP_IPC_LOCK: nothing else stops a log from pinning frames without end.
    const text = [...setup, ...maps(4)].join('\n');
    const r = await replayText(text, '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^vkm: l\.jsonl:12: field "size": vmm\.vfio\.dma\.map could allocate up to 67584 host frames with \d+ in use, more than this run's limit of 262144 frames \(1024 MiB\); raise it with --limit frames=N \(at most 4194304\)$/);
    const raised = await replayText(text, '--quiet', '--limit', 'frames=400000');
    expect(raised.code, raised.err).toBe(0);
    expect(limitsOf({ limit: 'pages-per-event=4096,frames=400000' })).toEqual({ pageLimit: 4096, frameLimit: 400000 });
    for (const bad of ['frames=1', 'frames=99999999', 'frames=300000,frames=400000', 'pages=3']) expect((await replayText(text, '--limit', bad)).code, bad).toBe(2);
  });

  it.prop([fc.nat({ max: 700 }), fc.array(fc.tuple(fc.nat({ max: 200 }), fc.integer({ min: 1, max: 256 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 12 })])(
    'should never let the frames in use pass the limit, and a refusal should change nothing',
    (room, ranges) => {
      const w = setupWorld();
      ok(w, e('host.cap.set', { mm: 'qemu', capIpcLock: true }));
      w.frames.limit = w.frames.owner.size + 1024 + room;
      for (const [iovaPage, pages, vpage] of ranges) {
        const before = digest(w);
        const m = e('vmm.vfio.dma.map', { container: 'c0', iova: BigInt(iovaPage * 256) << 12n, vaddr: HVA + (BigInt(Math.min(vpage, 256 - pages)) << 12n), size: BigInt(pages) << 12n, flags: 3 });
        const code = applyEvent(w, m).code;
        if (code === 'OVER_LIMIT') expect(digest(w)).toBe(before);
        expect(w.frames.owner.size).toBeLessThanOrEqual(w.frames.limit);
      }
    },
  );
});

describe('inputs', () => {
  it('should refuse /dev/zero with exit 2 once it passes the input bound, without exhausting memory', () => {
    const r = spawnSync('node', [BIN, 'replay', '/dev/zero'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('vkm: /dev/zero has more than the 268435456 bytes an input may have; split the log\n');
  });

  it('should give every log of several its own verdict, one that cannot be read included', () => {
    const good = join(import.meta.dirname, '../../examples/type1-dma-walkthrough.jsonl');
    const r = spawnSync('node', [BIN, 'replay', '--quiet', good, '/nonexistent/x.jsonl', good], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('vkm: cannot read /nonexistent/x.jsonl: ENOENT\n');
    expect(r.stdout.match(/^30 events, /gm)?.length).toBe(2);
  });

  it('should read standard input for "-" and accept a byte-order mark', () => {
    const log = '\ufeff{"type":"host.boot","arch":"x86"}\n{"type":"host.process.spawn","mm":"q"}\n';
    const r = spawnSync('node', [BIN, 'replay', '-', '--quiet'], { input: log, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2 events, 0 refused/);
  });
});
