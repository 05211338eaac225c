/**
 * The CLI entry: the only place (with the Io it builds) that touches the process, the file system
 * and the clock. Every failure is reported as one line and an exit code, never a stack trace.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { packageVersion } from './version.js';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DesignError, InputError, UsageError } from '../errors.js';
import { loadModules } from './load.js';
import '../../faults/index.js';
import { checkCommand, mutantsCommand, variantsCommand } from './commands/check.js';
import { eventsCommand } from './commands/events.js';
import { simulateCommand } from './commands/simulate.js';
import { pathsCommand } from './commands/paths.js';
import { graphCommand, reportCommand } from './commands/graph.js';
import { createRequire } from 'node:module';
import { comparisonTable, replayCommand } from './commands/replay.js';
import type { PhaseStats } from '../log/stats.js';
import type { Io } from './io.js';
import { COMMANDS, commandHelp, EXIT, helpText, type ExitCode } from './options.js';
import { parseArgs } from './parse-args.js';
import { sanitize } from '../util/sanitize.js';
import { allJsonSchemas, JSON_SCHEMAS_OF } from '../export/json-schemas.js';

/** Whether a progress line is on the terminal now, to be cleared before anything else is written there. */
let progressShown = false;
const clearProgress = () => {
  if (progressShown) process.stderr.write('\r\x1b[K');
  progressShown = false;
};

export const processIo: Io = {
  out: (t) => {
    clearProgress();
    process.stdout.write(t + '\n');
  },
  err: (t) => {
    clearProgress();
    // diagnostics quote what the user gave: one line each, control characters escaped, bounded.
    process.stderr.write((process.env.VKM_DEBUG ? t : sanitize(t)) + '\n');
  },
  progress: (t) => {
    if (!process.stderr.isTTY) {
      process.stderr.write(t + '\n');
      return;
    }
    // one line, rewritten in place, cut to the terminal's width so it never wraps.
    process.stderr.write('\r\x1b[K' + t.slice(0, Math.max(20, (process.stderr.columns ?? 80) - 1)));
    progressShown = true;
  },
  writeFile: (path, text) => {
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      // a rename would replace a symbolic link (or a device node) with a file: refuse anything but a regular file.
      const st = lstatOrUndefined(path);
      if (st && !st.isFile()) throw new UsageError(`refusing to replace ${path}: it is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    } catch (err) {
      // no temporary file is left behind, whatever failed.
      rmSync(tmp, { force: true });
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  },
  now: () => performance.now(),
  wallClock: () => new Date(),
  hostname: () => hostname(),
  memoryMiB: () => process.memoryUsage.rss() / 2 ** 20,
  interrupted: () => interruptedFlag,
  readFile: (path) => readBounded(path),
};

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The most bytes an input file may have: a larger one is refused before it is read, and a device or pipe is read no further. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Reads a text file (or standard input for "-") up to MAX_INPUT_BYTES: a regular file is sized
 * first, anything else (a pipe, /dev/zero) read in chunks and refused once it passes the bound.
 */
function readBounded(path: string): string {
  let fd: number | undefined;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`cannot read ${path}: EISDIR`);
    if (st.isFile() && st.size > MAX_INPUT_BYTES) throw new UsageError(`${path} is ${st.size} bytes, more than the ${MAX_INPUT_BYTES} an input may have; split the log`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES) throw new UsageError(`${path} has more than the ${MAX_INPUT_BYTES} bytes an input may have; split the log`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  } finally {
    if (fd !== undefined && fd !== 0) closeSync(fd);
  }
}

let interruptedFlag = false;


/** SIGINT ends a long check cleanly (a partial, clearly marked result and a checkpoint) instead of killing it. */
export function watchInterrupt(): void {
  process.on('SIGINT', () => {
    if (interruptedFlag) process.exit(130);
    interruptedFlag = true;
  });
}

/** A closed pipe (`vkm ... | head`) ends the process quietly instead of with a stack trace. */
export function guardPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      process.stderr.write(`vkm: output error: ${err.code ?? err.message}\n`);
      process.exit(2);
    });
  }
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  try {
    const args = parseArgs(argv);
    await loadModules(args.lists.load ?? [], io);
    const schemas = args.options.schema === true ? JSON_SCHEMAS_OF[args.command.name] : undefined;
    if (schemas) {
      io.out(JSON.stringify(schemas(), null, 2));
      return EXIT.ok;
    }
    switch (args.command.name) {
      case 'replay': {
        // every file is replayed; the exit code is the worst one (2 > 1 > 0).
        let worst: ExitCode = EXIT.ok;
        const rows: { file: string; phases: readonly PhaseStats[] }[] = [];
        for (const file of args.positionals) {
          if (args.positionals.length > 1 && args.options.json !== true) io.out(`== ${file}`);
          // each log gets its own verdict: one that cannot be read does not stop the others.
          let code: ExitCode;
          try {
            code = replayCommand(file, args.options, io, (f, phases) => rows.push({ file: f, phases }));
          } catch (err) {
            if (!(err instanceof UsageError) || args.positionals.length === 1) throw err;
            io.err(`vkm: ${err.message}`);
            code = EXIT.usage;
          }
          if (code > worst) worst = code;
        }
        if (args.options.stats === true && args.options.json !== true && rows.length > 1) {
          io.out('== cost per log (workload phase)');
          for (const line of comparisonTable(rows)) io.out(line);
        }
        return worst;
      }
      case 'check':
        return await checkCommand(args.options, io, args.lists.load ?? []);
      case 'mutants':
        return await mutantsCommand(args.options, io);
      case 'simulate':
        return simulateCommand(args.options, io);
      case 'paths':
        return pathsCommand(args.options, io);
      case 'graph':
        return await graphCommand(args.options, io);
      case 'report':
        return await reportCommand(args.options, io, packageVersion(), () => readFileSync(createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js'), 'utf8'));
      case 'variants':
        return variantsCommand(args.options, io);
      case 'events':
        return eventsCommand(args.options, io);
      case 'schemas':
        io.out(JSON.stringify(allJsonSchemas(), null, 2));
        return EXIT.ok;
      case 'version':
        io.out(`vkm ${packageVersion()}`);
        return EXIT.ok;
      default: {
        const about = args.positionals[0] === undefined ? undefined : COMMANDS.find((c) => c.name === args.positionals[0]);
        io.out(about ? commandHelp(about) : helpText());
        return EXIT.ok;
      }
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError || err instanceof DesignError) {
      io.err(`vkm: ${err.message}`);
      return EXIT.usage;
    }
    // a model bug: still one readable line, with the detail behind an environment switch.
    io.err(`vkm: internal error: ${(err as Error).message ?? String(err)}${process.env.VKM_DEBUG ? '\n' + (err as Error).stack : ' (set VKM_DEBUG=1 for details)'}`);
    return EXIT.usage;
  }
}
