#!/usr/bin/env node
import { guardPipes, main, watchInterrupt } from '../dist/src/cli/main.js';

guardPipes();
watchInterrupt();
process.exitCode = await main(process.argv.slice(2));
