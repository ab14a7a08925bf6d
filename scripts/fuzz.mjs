// `npm run fuzz`: the property-based fuzz tests (fuzz/*.fuzz.test.ts) at FUZZ_SCALE times their CI run counts
// (default 25: a few minutes on two cores), with their fixed seeds, or new ones with FUZZ_SEED=random (each
// property prints the seed it used, so a failure can be repeated: FUZZ_SEED=<seed> FUZZ_SCALE=<scale>).
// `npm test` runs the same files at scale 1.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, FUZZ_SCALE: process.env.FUZZ_SCALE ?? '25' };
console.log(`fuzz: FUZZ_SCALE=${env.FUZZ_SCALE}${env.FUZZ_SEED ? ` FUZZ_SEED=${env.FUZZ_SEED}` : ' (fixed seeds)'}`);
const child = spawn(process.execPath, [path.join(root, 'scripts/test.mjs'), 'fuzz/'], { cwd: root, env, stdio: 'inherit' });
child.on('close', (code) => process.exit(code ?? 1));
