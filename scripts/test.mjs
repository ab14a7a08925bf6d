// Runs every uvu test file (*.test.ts) through tsx, in one process per file group.
// ebur128-wasm (an independent reference used by the agreement tests) ships as an ES module that imports
// its .wasm directly, which Node 20 only allows behind --experimental-wasm-modules.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pattern = process.argv[2] ?? '\\.test\\.ts$';
const args = [
  '--experimental-wasm-modules',
  '--no-warnings=ExperimentalWarning',
  '--import', 'tsx',
  path.join(root, 'node_modules/uvu/bin.js'),
  '.', pattern,
  '-i', 'node_modules', '-i', 'dist', '-i', 'build',
];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
