/**
 * The npm package as a web-DAW developer gets it (README "Hosting LevelMatch"): `npm pack` of this repository,
 * the tarball installed with @webaudiomodules/sdk (and /api, for the types) into a temporary app folder, the package's exports resolved
 * there (`levelmatch/plugin`, `levelmatch/plugin/*`) by Node and by TypeScript (the shipped declarations of the
 * node API and the readout), dist/plugin copied to a static folder, and the plugin hosted from there in
 * headless Chromium. Needs the built dist/ (npm test builds first).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { browserSession, REPO_ROOT } from '../browser-session.ts';
import { serveStatic } from '../static-server.ts';

const SDK_VERSION = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/@webaudiomodules/sdk/package.json'), 'utf8')).version as string;
const API_VERSION = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/@webaudiomodules/api/package.json'), 'utf8')).version as string;
const tmp = mkdtempSync(path.join(tmpdir(), 'levelmatch-package-'));
const app = path.join(tmp, 'app');
let packed: { filename: string; files: Array<{ path: string; size: number }>; size: number; unpackedSize: number };
let install = '';

const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

/** Packs, installs the tarball and the SDK into `app` (from the npm cache when it can), copies dist/plugin. */
async function prepare() {
  const pack = npm(['pack', '--json', '--pack-destination', tmp], REPO_ROOT);
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  packed = JSON.parse(pack.stdout)[0];
  cpSync(path.join(REPO_ROOT, 'host-test/hosts/fixtures/app'), app, { recursive: true });
  const args = ['install', path.join(tmp, packed.filename), `@webaudiomodules/sdk@${SDK_VERSION}`, `@webaudiomodules/api@${API_VERSION}`, '--no-audit', '--no-fund', '--ignore-scripts'];
  let r = npm([...args, '--offline'], app);
  install = 'offline (npm cache)';
  if (r.status !== 0) {
    const why = r.stderr.split('\n').find((l) => /ERR/.test(l)) ?? r.stderr.trim();
    r = npm(args, app);
    install = `from the registry (offline: ${why})`;
  }
  if (r.status !== 0) throw new Error(`npm install of the tarball failed: ${r.stderr}`);
  // "Copy dist/plugin to a static folder": found through the package's own export.
  const descriptor = execFileSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('levelmatch/plugin/descriptor.json'))"], { cwd: app, encoding: 'utf8' }).trim();
  cpSync(path.dirname(new URL(descriptor).pathname), path.join(app, 'static/plugins/levelmatch'), { recursive: true });
  // The page scripts of the host tests come from the repository; everything else from the app folder.
  return serveStatic(app, (p) => (p.startsWith('/host-test/') ? path.join(REPO_ROOT, p) : null));
}

const { t, session } = browserSession({ serve: prepare });
test.after(() => rmSync(tmp, { recursive: true, force: true }));

t('the tarball: the plugin, its types and thumbnail; no demo, no source maps', () => {
  const files = packed.files.map((f) => f.path);
  for (const f of ['dist/plugin/index.js', 'dist/plugin/processor.js', 'dist/plugin/gui.js', 'dist/plugin/descriptor.json',
    'dist/plugin/thumbnail.svg', 'dist/types/wam/index.d.ts', 'dist/types/wam/node.d.ts', 'dist/types/wam/readout.d.ts',
    'dist/index.js', 'dist/types/lib/index.d.ts', 'bin/levelmatch.js', 'README.md', 'package.json']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.equal(files.filter((f) => f.startsWith('dist/demo/')), [], 'no demo');
  assert.equal(files.filter((f) => f.endsWith('.map')), [], 'no source maps');
  console.log(`\nnpm pack: ${files.length} files, ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked; installed ${install}`);
});

t('exports: levelmatch/plugin and levelmatch/plugin/* resolve in Node; the library still does', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', [
    "const r = (s) => import.meta.resolve(s).replace(/^.*node_modules\\/levelmatch\\//, '');",
    "console.log(JSON.stringify([r('levelmatch/plugin'), r('levelmatch/plugin/processor.js'), r('levelmatch/plugin/thumbnail.svg'), r('levelmatch')]));",
  ].join('\n')], { cwd: app, encoding: 'utf8' });
  assert.equal(JSON.parse(out), ['dist/plugin/index.js', 'dist/plugin/processor.js', 'dist/plugin/thumbnail.svg', 'dist/index.js']);
});

t('types: a host written in TypeScript type-checks against levelmatch/plugin (node API, readout, state)', () => {
  const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8' });
  assert.is(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  // And a wrong use is caught (the types are not `any`).
  writeFileSync(path.join(app, 'src/wrong.ts'), "import type { Readout } from 'levelmatch/plugin';\nexport const x = (r: Readout): string => r.gain.applied;\n");
  const bad = spawnSync(process.execPath, [tsc, '-p', path.join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8' });
  rmSync(path.join(app, 'src/wrong.ts'));
  assert.is.not(bad.status, 0);
  assert.match(bad.stdout, /wrong\.ts.*Type 'number' is not assignable to type 'string'/);
});

t('hosted in Chromium from the copied dist/plugin: loads, matches, shows its GUI and thumbnail', async () => {
  const r = await session.page.evaluate(
    (u) => import('/host-test/hosts/pages/package-host.js' as string).then((m) => m.run({ url: u })),
    '/static/plugins/levelmatch/index.js',
  ) as { refLevel: number; outLevel: number; nonFinite: number; stateGain: number; thumbnailWidth: number; guiWidth: number; readoutLinked: boolean };
  assert.ok(Math.abs(r.outLevel - r.refLevel) < 0.3, `match ${r.outLevel.toFixed(3)} vs reference ${r.refLevel.toFixed(3)} dB`);
  assert.ok(Math.abs(r.stateGain - 10) < 0.3, `state gain ${r.stateGain}`);
  assert.is(r.nonFinite, 0);
  assert.ok(r.readoutLinked);
  assert.ok(r.thumbnailWidth > 0 && r.guiWidth > 300, JSON.stringify(r));
  assert.equal(session.problems, []);
});

t.run();
