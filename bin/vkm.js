#!/usr/bin/env node
import { guardPipes, main } from '../dist/src/cli/main.js';

guardPipes();
process.exitCode = await main(process.argv.slice(2));
