import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rumurRun, spinBfs } from '../../src/bench/anchors.js';
import { explore } from '../../src/check/explore.js';
import { rpcitShadow } from '../../src/check/scenarios/rpcit-shadow.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * The bench's ratios mean something only if SPIN and rumur search the space vkm does: the
 * generated models must find vkm's exact counts (distinct states without reduction, orbits with
 * exact symmetry). Runs where the tools are installed (apt-get install spin rumur).
 */
describe('the bench\'s SPIN and rumur models of rpcit-shadow', () => {
  const cases = [
    { G: 2, I: 2, L: 1 },
    { G: 2, I: 2, L: 2 },
    { G: 3, I: 2, L: 2 },
  ];

  it.skipIf(!has('spin') || !has('gcc'))('should give SPIN exactly vkm\'s distinct states', () => {
    for (const p of cases) {
      const spin = spinBfs(p.G, p.I, p.L);
      expect(typeof spin, String(spin)).toBe('object');
      expect((spin as { states: number }).states, JSON.stringify(p)).toBe(explore(rpcitShadow, p).states);
    }
  });

  it.skipIf(!has('rumur') || !has('gcc'))('should give rumur with exact symmetry exactly vkm\'s orbits', () => {
    for (const p of cases) {
      const rumur = rumurRun(p.G, p.I, p.L, 'exhaustive', 1);
      expect(typeof rumur, String(rumur)).toBe('object');
      expect((rumur as { states: number }).states, JSON.stringify(p)).toBe(explore(rpcitShadow, p, { symmetry: true }).states);
    }
  }, 120_000);
});
