import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { eventToLine } from '../../src/events/serialize.js';
import { readLog } from '../../src/log/read-log.js';
import { anyEvent } from '../support/arbitraries.js';

const SPAWN = '{"type":"host.process.spawn","mm":"q"}';

function errorOf(text: string): string {
  const r = readLog(text, 'f.jsonl');
  if (r.ok) throw new Error('expected an input error');
  return r.error.message;
}

describe('readLog', () => {
  it('should name file, line and column for broken JSON', () => {
    expect(errorOf(`${SPAWN}\n{"type": }\n`)).toMatch(/^f\.jsonl:2:10: invalid JSON: Unexpected token/);
  });

  it('should name the field for a value over 2^64-1, a non-hex value, a missing field and an unknown field', () => {
    expect(errorOf(`${SPAWN}\n{"type":"host.rlimit.set","mm":"q","memlock":"0x1ffffffffffffffff"}`)).toBe(
      'f.jsonl:2: field "memlock": 0x1ffffffffffffffff exceeds 2^64-1 (0xffffffffffffffff)',
    );
    expect(errorOf(`${SPAWN}\n{"type":"host.rlimit.set","mm":"q","memlock":"0xg1"}`)).toMatch(/field "memlock": "0xg1" is not a 0x-prefixed hex number/);
    expect(errorOf(`${SPAWN}\n{"type":"host.rlimit.set","mm":"q","memlock":4096}`)).toMatch(/field "memlock": expected a hex string/);
    expect(errorOf(`{"type":"host.rlimit.set","memlock":"0x1"}`)).toMatch(/^f\.jsonl:1: field "mm": is required/);
    expect(errorOf(`${SPAWN}\n{"type":"host.rlimit.set","mm":"q","memlock":"0x1","memlok":"0x2"}`)).toMatch(/field "memlok": unknown field/);
  });

  it('should accept hex with leading zeros up to 2^64-1', () => {
    const r = readLog(`${SPAWN}\n{"type":"host.rlimit.set","mm":"q","memlock":"0x0000ffffffffffffffff"}`, 'f');
    expect(r.ok && r.entries[1].event).toMatchObject({ memlock: (1n << 64n) - 1n });
  });

  it('should refuse an unknown event type and a non-object line', () => {
    expect(errorOf('{"type":"vmm.nope"}')).toBe('f.jsonl:1: field "type": unknown event type "vmm.nope"');
    expect(errorOf('[1,2]')).toMatch(/a log line must be a JSON object/);
  });

  it('should refuse an id no earlier line introduced, and an id of the wrong kind', () => {
    expect(errorOf('{"type":"vmm.vfio.container.close","container":"c0"}')).toBe(
      'f.jsonl:1: field "container": unknown container id "c0": no earlier line creates it',
    );
    expect(errorOf(`${SPAWN}\n{"type":"vmm.vfio.container.close","container":"q"}`)).toMatch(/id "q" names a mm, not a container/);
  });

  it('should skip blank lines and keep real line numbers', () => {
    const r = readLog(`\n${SPAWN}\n\n{"type":"host.cap.set","mm":"q","capIpcLock":true}\n`, 'f');
    expect(r.ok && r.entries.map((x) => x.line)).toEqual([2, 4]);
  });

  it.prop([fc.array(anyEvent, { maxLength: 20 })])('should parse back exactly what the serializer writes', (events) => {
    // declare every id the events use first, so the id check passes.
    const prefix = [
      '{"type":"host.process.spawn","mm":"qemu"}', '{"type":"host.process.spawn","mm":"other"}',
      ...['nic0', 'nic1', 'gpu0'].map((d, i) => `{"type":"host.pci.device.add","device":"${d}","group":"${i % 2 ? 'g9' : 'g7'}"}`),
      ...['vm0', 'vm1'].map((v) => `{"type":"vmm.kvm.create_vm","vm":"${v}","mm":"qemu"}`),
      ...['c0', 'c1'].map((c) => `{"type":"vmm.vfio.container.open","container":"${c}","mm":"qemu"}`),
      ...['f0', 'f1', 'f2'].map((f) => `{"type":"vmm.vfio.group.get_device_fd","group":"g7","device":"nic0","fd":"${f}"}`),
      ...['kv0', 'kv1'].map((k) => `{"type":"vmm.kvm.create_device","vm":"vm0","dev":"${k}"}`),
      ...['t0', 't1'].map((t, i) => `{"type":"vmm.kvm.create_spapr_tce_64","vm":"vm0","table":"${t}","liobn":"0x${i}","pageShift":12,"offset":"0x0","size":"0x10"}`),
    ];
    const text = [...prefix, ...events.map((x) => eventToLine(x))].join('\n');
    const r = readLog(text, 'f');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.entries.slice(prefix.length).map((x) => x.event)).toEqual(events);
  });

  it.prop([fc.string({ maxLength: 200 })])('should never throw on arbitrary text', (text) => {
    const r = readLog(text, 'f');
    if (!r.ok) expect(r.error.message).toMatch(/^f:\d+(:\d+)?:/);
  });
});

describe('jsonErrorOffset', () => {
  it.prop([fc.json(), fc.constantFrom('}', ']', ',', ':', 'x', '"')])(
    'should scan valid JSON to its end and locate junk right after it exactly',
    async (json, junk) => {
      const { jsonErrorOffset } = await import('../../src/log/json-error-column.js');
      expect(jsonErrorOffset(json)).toBe(json.length);
      expect(jsonErrorOffset(json + junk)).toBe(json.length);
      // inside an array ',' and ']' are legal after an element; every other junk character is not.
      if (junk !== ',' && junk !== ']') expect(jsonErrorOffset('[' + json + junk)).toBe(json.length + 1);
    },
  );

  it('should find the column of typical mistakes', async () => {
    const { jsonErrorOffset } = await import('../../src/log/json-error-column.js');
    expect(jsonErrorOffset('{"type": }')).toBe(9);
    expect(jsonErrorOffset('{"a":1,}')).toBe(7);
    expect(jsonErrorOffset('{"a":1 "b":2}')).toBe(7);
    expect(jsonErrorOffset('{"a":tru}')).toBe(8);
    expect(jsonErrorOffset('{"a":1}}')).toBe(7);
    expect(jsonErrorOffset('[' .repeat(100000))).toBe(100000);
  });
});
