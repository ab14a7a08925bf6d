// Runs every uvu test file (*.test.ts) through tsx and ends with one summary line, "N passed, N failed".
// ebur128-wasm (an independent reference used by the agreement tests and the bench) ships as an ES module
// that imports its .wasm directly, which Node 20 only allows behind --experimental-wasm-modules.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// An optional argument narrows the run: a regex over paths, e.g. `wam` runs wam/**/*.test.ts. uvu imports every
// file the pattern matches, so a pattern that does not end with `$` is limited to test files.
const arg = process.argv[2];
const pattern = arg === undefined ? '\\.test\\.ts$' : arg.endsWith('$') ? arg : `(?:${arg}).*\\.test\\.ts$`;
const args = [
  '--experimental-wasm-modules',
  '--no-warnings=ExperimentalWarning',
  '--import', 'tsx',
  path.join(root, 'node_modules/uvu/bin.js'),
  '.', pattern,
  '-i', 'node_modules', '-i', 'dist', '-i', 'build',
];
// uvu colours its output unless told not to (its --color option defaults to on and sets FORCE_COLOR): colours
// stay on a terminal, and a file or a pipe gets plain text (no ANSI codes), as does anyone who sets NO_COLOR.
const env = { ...process.env };
if (!process.stdout.isTTY || env.NO_COLOR !== undefined) {
  args.push('--no-color');
  env.NO_COLOR = '1';
  delete env.FORCE_COLOR;
}
const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
  const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
  if (Number.isFinite(total)) {
    console.log(`\ntests: ${passed} passed, ${total - passed - skipped} failed, ${skipped} skipped`);
  } else {
    console.log('\ntests: the runner printed no summary');
  }
  process.exit(code ?? 1);
});
