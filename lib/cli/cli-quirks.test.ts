// `levelmatch measure` on inputs the fuzzing broke (issue 11): a FILE that cannot be read at positions
// (/dev/stdin from a pipe, bash's <(...), a FIFO) is streamed like `-`; a directory on standard input gets its
// own message; a control character in a file name cannot split or forge an error line; a full-range float file
// reads a finite true peak in JSON (null there means "no signal").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbToAmp, makeWav, sine } from '../wav/write-test-wav.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-cli-quirks-'));
const bin = path.join(root, 'bin/levelmatch.js');

test.before(() => {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-needed'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const SR = 48000;
const tone = () => {
  const x = sine(1000, dbToAmp(-23), 5, SR);
  return makeWav({ sampleRate: SR, format: 'pcm', bits: 16 }, [x, x]);
};
const wavFile = path.join(dir, 'tone.wav');
writeFileSync(wavFile, tone());

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);
}

test('measure /dev/stdin from a pipe (cat x.wav | levelmatch measure /dev/stdin): streamed, measured', () => {
  const r = spawnSync('bash', ['-c', `cat "${wavFile}" | "${process.execPath}" "${bin}" measure --json /dev/stdin`], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const [m] = JSON.parse(r.stdout);
  assert.is(m.file, '/dev/stdin');
  near(m.integrated, -23, 0.1, 'integrated');
  assert.is(r.stderr, '');
});

test('measure /dev/stdin when standard input is a socket (as Node spawns children): read as standard input', () => {
  const r = spawnSync(process.execPath, [bin, 'measure', '--json', '/dev/stdin'], { cwd: root, encoding: 'utf8', input: tone() });
  assert.is(r.status, 0, r.stderr);
  near(JSON.parse(r.stdout)[0].integrated, -23, 0.1, 'integrated');
});

test("measure <(cat x.wav) (bash process substitution, /dev/fd/N): streamed, measured", () => {
  const bash = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" measure --json <(cat "${wavFile}")`], { cwd: root, encoding: 'utf8' });
  if (bash.error) {
    console.log('  (no bash: skipped)');
    return;
  }
  assert.is(bash.status, 0, bash.stderr);
  const [m] = JSON.parse(bash.stdout);
  assert.match(m.file, /^\/dev\/fd\/\d+$|^\/proc\/self\/fd\/\d+$/);
  near(m.integrated, -23, 0.1, 'integrated');
});

test('measure FIFO: streamed, measured; a truncated FIFO says so in one line', () => {
  const fifo = path.join(dir, 'fifo.wav');
  if (spawnSync('mkfifo', [fifo]).status !== 0) {
    console.log('  (no mkfifo: skipped)');
    return;
  }
  const bash = spawnSync('bash', ['-c', `cat "${wavFile}" > "${fifo}" & "${process.execPath}" "${bin}" measure --json "${fifo}"; rc=$?; wait; exit $rc`], { cwd: root, encoding: 'utf8' });
  assert.is(bash.status, 0, bash.stderr);
  near(JSON.parse(bash.stdout)[0].integrated, -23, 0.1, 'integrated');
  const cut = path.join(dir, 'cut.wav');
  writeFileSync(cut, tone().subarray(0, 50000));
  const t = spawnSync('bash', ['-c', `cat "${cut}" > "${fifo}" & "${process.execPath}" "${bin}" measure "${fifo}"; rc=$?; wait; exit $rc`], { cwd: root, encoding: 'utf8' });
  assert.is(t.status, 1);
  assert.is(t.stderr.trim().split('\n').length, 1, t.stderr);
  assert.match(t.stderr, /truncated stream/);
  assert.not.match(t.stderr, /ESPIPE/);
});

test('a directory on standard input: a clear message, not "empty stream"', () => {
  const fd = openSync(dir, 'r');
  try {
    const r = spawnSync(process.execPath, [bin, 'measure', '-'], { cwd: root, encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'] });
    assert.is(r.status, 1);
    assert.match(r.stderr, /^levelmatch: -: standard input is a directory/);
    assert.not.match(r.stderr, /empty/);
  } finally {
    closeSync(fd);
  }
});

test('control characters in a file name are escaped: one error line per file, no terminal escapes', () => {
  const names = ['new\nline.wav', 'levelmatch: forged.wav\nlevelmatch: x', 'esc\u001b[31mred.wav', 'tab\there.wav'];
  const r = spawnSync(process.execPath, [bin, 'measure', ...names.map((n) => path.join(dir, n))], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, names.length, r.stderr);
  assert.ok(lines.every((l) => l.startsWith('levelmatch: ') && l.endsWith(': no such file')), r.stderr);
  assert.ok(lines[0]!.includes('new\\nline.wav'));
  assert.ok(lines[2]!.includes('esc\\u001b[31mred.wav'));
  assert.not.match(r.stderr, /\u001b/);
  // JSON keeps the real name (JSON escapes it).
  const j = spawnSync(process.execPath, [bin, 'measure', '--json', path.join(dir, names[0]!)], { cwd: root, encoding: 'utf8' });
  assert.is(JSON.parse(j.stdout)[0].file, path.join(dir, names[0]!));
});

test('a float WAV at 2.5e38 (near the float maximum): true peak is a finite number in JSON, not null', () => {
  const x = new Float64Array(SR).map((_, i) => (i % 96 < 48 ? 2.5e38 : -2.5e38));
  const file = path.join(dir, 'huge.wav');
  writeFileSync(file, makeWav({ sampleRate: SR, format: 'float', bits: 32 }, [x, x]));
  const r = spawnSync(process.execPath, [bin, 'measure', '--json', file], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const [m] = JSON.parse(r.stdout);
  assert.is(typeof m.truePeak, 'number');
  near(m.samplePeak, 20 * Math.log10(Math.fround(2.5e38)), 1e-6, 'sample peak');
  assert.ok(m.truePeak >= m.samplePeak && m.truePeak < m.samplePeak + 6, `true peak ${m.truePeak}`);
  assert.ok(m.channelTruePeak.every((v: unknown) => typeof v === 'number'));
});

test.run();
