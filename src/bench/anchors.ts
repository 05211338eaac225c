/**
 * Runs the checkers vkm is measured against on the same rules (anchor-models.ts), when they are
 * installed: SPIN's breadth-first search without reduction (one thread) and rumur with symmetry
 * reduction. Only the search is timed, not the generation or the C compile. A benchmark, not a
 * test: a missing tool is a line saying so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcitShadowMurphi, rpcitShadowPromela } from './anchor-models.js';

export interface AnchorRun {
  readonly tool: string;
  readonly states: number;
  readonly seconds: number;
}

function installed(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** A search built once and run as often as asked (its directory removed by `dispose`). */
export interface PreparedAnchor {
  readonly tool: string;
  run(): AnchorRun;
  dispose(): void;
}

/**
 * Builds a search in a fresh directory (`build` returns how to run it there); a tool that fails is a
 * line saying so, not the end of the bench.
 */
function prepared(build: (dir: string) => { tool: string; run: () => AnchorRun }): PreparedAnchor | string {
  const dir = mkdtempSync(join(tmpdir(), 'vkm-anchor-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const { tool, run } = build(dir);
    return { tool, run, dispose };
  } catch (err) {
    dispose();
    return (err as Error).message;
  }
}

/** One run of a prepared search, then its directory removed. */
function once(a: PreparedAnchor | string): AnchorRun | string {
  if (typeof a === 'string') return a;
  try {
    return a.run();
  } catch (err) {
    return (err as Error).message;
  } finally {
    a.dispose();
  }
}

function must(r: ReturnType<typeof spawnSync>, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr ?? '').slice(0, 500)}`);
}

/** Timed run of a built search; the state count read from its report by `states`. */
function timed(cmd: string, args: string[], cwd: string, states: RegExp, tool: string): AnchorRun {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  must(r, tool);
  const m = states.exec(r.stdout + r.stderr);
  if (!m) throw new Error(`${tool}: no state count in its report`);
  return { tool, states: Number(m[1]), seconds };
}

/** SPIN 6 breadth-first, no partial-order reduction, one thread, built and ready to run; a string saying why not when spin or gcc is missing. */
export function spinSearch(G: number, I: number, L: number): PreparedAnchor | string {
  if (!installed('spin') || !installed('gcc')) return 'spin (or gcc) is not installed: apt-get install spin';
  return prepared((dir) => {
    writeFileSync(join(dir, 'm.pml'), rpcitShadowPromela(G, I, L));
    must(spawnSync('spin', ['-a', 'm.pml'], { cwd: dir }), 'spin -a');
    must(spawnSync('gcc', ['-O2', '-DBFS', '-DNOREDUCE', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir }), 'gcc pan.c');
    return { tool: 'SPIN BFS', run: () => timed('./pan', ['-m100000'], dir, /(\d+) states, stored/, 'SPIN BFS') };
  });
}

/** One run of spinSearch's search. */
export function spinBfs(G: number, I: number, L: number): AnchorRun | string {
  return once(spinSearch(G, I, L));
}

/** rumur with the given symmetry reduction and threads, built and ready to run; a string saying why not when rumur or gcc is missing. */
export function rumurSearch(G: number, I: number, L: number, symmetry: 'heuristic' | 'exhaustive', threads: number): PreparedAnchor | string {
  if (!installed('rumur') || !installed('gcc')) return 'rumur (or gcc) is not installed: apt-get install rumur';
  return prepared((dir) => {
    writeFileSync(join(dir, 'm.m'), rpcitShadowMurphi(G, I, L));
    must(spawnSync('rumur', ['--symmetry-reduction', symmetry, '--threads', String(threads), '--output', 'm.c', 'm.m'], { cwd: dir }), 'rumur');
    // its multi-threaded queues need the 16-byte compare-and-swap of the build machine's CPU.
    must(spawnSync('gcc', ['-O3', '-march=native', '-pthread', '-o', 'm', 'm.c'], { cwd: dir }), 'gcc m.c');
    const tool = `rumur ${symmetry} symmetry, ${threads} threads`;
    return { tool, run: () => timed('./m', [], dir, /(\d+) states, \d+ rules fired/, tool) };
  });
}

/** One run of rumurSearch's search. */
export function rumurRun(G: number, I: number, L: number, symmetry: 'heuristic' | 'exhaustive', threads: number): AnchorRun | string {
  return once(rumurSearch(G, I, L, symmetry, threads));
}
