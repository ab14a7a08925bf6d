#!/usr/bin/env node
// The levelmatch command line; the code is lib/cli/main.ts, bundled to dist/cli.js by `npm run build`.
import { main } from '../dist/cli.js';

// A reader that stops early (`levelmatch measure *.wav | head`) is not an error of ours: end quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
