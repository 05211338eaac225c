/** JUnit reports validate against the common JUnit structure (test/fixtures/junit.xsd) with libxml2's validator. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { registerDesign } from '../../src/index.js';

const XSD = readFileSync(join(import.meta.dirname, '../fixtures/junit.xsd'), 'utf8');

async function junitOf(...argv: string[]): Promise<string> {
  const files: Record<string, string> = {};
  const io: Io = {
    out: () => {}, err: () => {}, readFile: () => '', writeFile: (p, t) => void (files[p] = t),
    now: () => 0, memoryMiB: () => 0, interrupted: () => false,
    wallClock: () => new Date('2026-12-01T12:34:56.789Z'), hostname: () => 'ci-runner',
  };
  await main(['check', ...argv, '--junit', 'r.xml'], io);
  return files['r.xml'];
}

async function valid(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'r.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: XSD }] });
  return r.errors.map((e) => e.message);
}

describe('JUnit', () => {
  it('should validate for runs as expected, with the timestamp, hostname, counts and the options as properties', async () => {
    const xml = await junitOf('--scenario', 'kvm-domain-lent', '--preemptions', '0');
    expect(await valid(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuite name="vkm check" timestamp="2026-12-01T12:34:56" hostname="ci-runner" tests="1" failures="0" errors="0" skipped="0" time="[0-9.]+">/);
    expect(xml).toContain('<property name="--scenario" value="kvm-domain-lent"/>');
    expect(xml).toMatch(/<testcase classname="vkm.check.kvm-domain-lent" name="kvm-domain-lent\(F=0\)" time="[0-9.]+"><\/testcase>/);
  });

  it('should count a seeded fault found as expected, and the default runs, as no failure', async () => {
    // a seeded fault expects its violation: found, it is as expected.
    const xml = await junitOf('--scenario', 'type1-unmap', '--variant', 'type1-unpin-before-unmap', '--preemptions', '0');
    expect(await valid(xml)).toEqual([]);
    expect(xml).toContain('tests="1" failures="0" errors="0"');
  });

  it('should report a violation where a pass was expected as a failure with the trace, and an incomplete run as an error', async () => {
    registerDesign({ name: 't-junit-no-unpin', description: 'type1 never unpins', ops: { vfio_iommu_type1: { unpin_pages_remote: () => () => 0 } } });
    const failed = await junitOf('--scenario', 'type1-unmap', '--variant', 't-junit-no-unpin', '--preemptions', '0');
    expect(await valid(failed)).toEqual([]);
    expect(failed).toContain('failures="1" errors="0"');
    expect(failed).toMatch(/<failure message="expected pass, got violation" type="violation">[^<]*setup steps\)[^<]*vmm.vfio.dma.map[^<]*<\/failure>/);
    const stopped = await junitOf('--scenario', 'rpcit-shadow', '--max-states', '10', '--preemptions', '0');
    expect(await valid(stopped)).toEqual([]);
    expect(stopped).toContain('failures="0" errors="1"');
    expect(stopped).toMatch(/<error message="incomplete: max-states after \d+ states" type="incomplete">/);
  });

  it('should be refused by the schema when a required part is missing (the validator is live)', async () => {
    const xml = await junitOf('--scenario', 'kvm-domain-lent', '--preemptions', '0');
    expect(await valid(xml.replace(/ hostname="[^"]*"/, ''))).not.toEqual([]);
    expect(await valid(xml.replace('<system-err/>', ''))).not.toEqual([]);
  });
});
