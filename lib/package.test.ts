// The package as a user installs it: the built bundle, its WASM and its declarations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the DSP core imports nothing and exports the meter protocol', () => {
  const module = new WebAssembly.Module(readFileSync(path.join(root, 'dist/levelmatch.wasm')));
  assert.equal(WebAssembly.Module.imports(module), []);
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  for (const n of ['memory', 'createMeter', 'processFrames', 'integrated', 'loudnessRange', 'truePeak']) {
    assert.ok(names.includes(n), `export ${n}`);
  }
});

test('dist/index.js measures a -23 dBFS stereo sine at -23.0 LUFS', async () => {
  const { LoudnessMeter } = await import(path.join(root, 'dist/index.js'));
  const sr = 48000;
  const x = new Float32Array(sr * 5);
  for (let i = 0; i < x.length; i++) x[i] = 10 ** (-23 / 20) * Math.sin((2 * Math.PI * 1000 * i) / sr);
  const meter = await LoudnessMeter.create({ sampleRate: sr, channels: 2 });
  meter.push([x, x]);
  const r = meter.result();
  assert.ok(Math.abs(r.integrated + 23) < 0.1, `integrated ${r.integrated}`);
  assert.ok(Math.abs(r.samplePeak + 23) < 0.01, `sample peak ${r.samplePeak}`);
});

test('the bundle carries its WASM inline (no file or network access needed)', () => {
  const bundle = readFileSync(path.join(root, 'dist/index.js'), 'utf8');
  assert.not.match(bundle, /\bfetch\(|readFile|import\.meta\.url/);
  assert.ok(bundle.length > 20000, 'bundle contains the core');
});

test('npm pack ships the bundle, the WASM, the types and the CLI', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
  for (const f of ['dist/index.js', 'dist/levelmatch.wasm', 'dist/types/lib/index.d.ts', 'dist/cli.js', 'dist/cli-worker.js', 'dist/files.js', 'bin/levelmatch.js', 'package.json']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  assert.not.ok(files.some((f) => f.endsWith('.test.ts') || f.startsWith('dsp/')), 'no sources or tests packed');
  const declarations = readFileSync(path.join(root, 'dist/types/lib/index.d.ts'), 'utf8');
  assert.match(declarations, /LoudnessMeter/);
  assert.not.match(declarations, /from '\.[^']*\.ts'/);
});

test('dist/files.js (levelmatch/files) normalises a WAV file, with its declarations', async () => {
  const { normalizeFile, openAudio, PRESETS } = await import(path.join(root, 'dist/files.js'));
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-pkg-'));
  try {
    const sr = 48000;
    const n = sr * 3;
    const b = Buffer.alloc(44 + n * 2);
    b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVEfmt ', 8); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20);
    b.writeUInt16LE(1, 22); b.writeUInt32LE(sr, 24); b.writeUInt32LE(sr * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
    b.write('data', 36); b.writeUInt32LE(n * 2, 40);
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 1000 * i) / sr)), 44 + i * 2);
    writeFileSync(path.join(dir, 'in.wav'), b);
    const r = await normalizeFile(path.join(dir, 'in.wav'), path.join(dir, 'out.wav'), { target: -20 });
    assert.ok(Math.abs(r.after.integrated + 20) < 0.05, `after ${r.after.integrated}`);
    const reader = await openAudio(path.join(dir, 'out.wav'));
    assert.is(reader.info.bitsPerSample, 16);
    await reader.close();
    assert.ok(PRESETS.some((p: { id: string }) => p.id === 'ebu'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const declarations = readFileSync(path.join(root, 'dist/types/lib/files.d.ts'), 'utf8');
  assert.match(declarations, /normalizeFile/);
});

test.run();
