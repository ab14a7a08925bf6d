/**
 * normalize / match, library and command line: loudness reached against the target (our meter) and true
 * peak under the ceiling (our meter and ffmpeg's ebur128 at 4x), the cap and error policies, album levels,
 * match, stdin, option parsing, the safety promises (no overwrite, no partial output on SIGTERM).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAudio } from '../audio/open-audio.ts';
import { measureFile } from '../cli/measure-file.ts';
import { analyse, gatedLoudness } from './analyse.ts';
import { matchFile, normalizeAlbum, normalizeFile } from './normalize.ts';
import { ffmpegEbur128, hasFfmpeg, programmeSignal, writeWav } from './test-signals.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-tools-'));
const at = (name: string) => path.join(dir, name);
const CI = process.env.CI === 'true';

test.before(() => {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-needed'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
  if (!hasFfmpeg) {
    if (CI) throw new Error('ffmpeg is missing (CI installs it: .ci/run)');
    console.warn('ffmpeg not found: the comparisons with ffmpeg are skipped');
  }
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/levelmatch.js'), ...args], { cwd: root, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

/** With LEVELMATCH_PRINT set, the measured numbers are printed (for the README's table). */
const print = (...a: unknown[]) => { if (process.env.LEVELMATCH_PRINT) console.log('  measured:', ...a); };

const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

test('normalize: within 0.05 LU of the target, gain up and down, 44.1/48/96 kHz, mono to 5.1', async () => {
  const cases = [
    { rate: 44100, channels: 1, peak: 0.05, target: -16 }, // up
    { rate: 48000, channels: 2, peak: 0.05, target: -23 }, // up
    { rate: 48000, channels: 2, peak: 0.9, target: -30 }, // down
    { rate: 96000, channels: 6, peak: 0.3, target: -24 }, // 5.1, down
    { rate: 96000, channels: 2, peak: 0.02, target: -20 }, // up
  ];
  for (const c of cases) {
    const name = `n-${c.rate}-${c.channels}-${c.target}`;
    const input = writeWav(at(`${name}.wav`), programmeSignal(c.channels, 5, c.rate, c.peak), c.rate);
    const before = hash(input);
    const r = await normalizeFile(input, at(`${name}-out.wav`), { target: c.target, truePeak: -1 });
    const m = await measureFile(at(`${name}-out.wav`));
    near(m.result.integrated, c.target, 0.05, `${name} output`);
    print(`${name}: output - target = ${(m.result.integrated - c.target).toExponential(2)} LU`);
    near(r.after.integrated, m.result.integrated, 0.001, `${name} reported after`);
    assert.is(r.peakAction, 'none', `${name} needed no limiting`);
    assert.is(m.info.sampleRate, c.rate);
    assert.is(m.info.channels, c.channels);
    assert.is(hash(input), before, 'input untouched');
    if (hasFfmpeg && c.channels <= 2) near(ffmpegEbur128(at(`${name}-out.wav`)).integrated, c.target, 0.06, `${name} by ffmpeg`);
  }
});

test('normalize --policy limit: true peak at or below the ceiling (ours and ffmpeg 4x), loudness within 0.1 LU, sample-aligned', async () => {
  for (const [rate, ceiling, target] of [[48000, -1, -9], [44100, -2, -11]] as const) {
    const sig = programmeSignal(2, 8, rate, 0.9);
    const input = writeWav(at(`l-${rate}.wav`), sig, rate);
    const out = at(`l-${rate}-out.wav`);
    const r = await normalizeFile(input, out, { target, truePeak: ceiling, policy: 'limit' });
    assert.is(r.peakAction, 'limit');
    assert.ok(r.limiterReductionDb > 0.5, `the limiter acted (${r.limiterReductionDb} dB)`);
    const m = await measureFile(out);
    assert.ok(m.result.truePeak <= ceiling, `our meter: ${m.result.truePeak} dBTP over ${ceiling}`);
    near(m.result.integrated, target, 0.1, `limited loudness at ${rate}`);
    assert.is(m.info.frames, sig[0]!.length, 'same length');
    if (hasFfmpeg) {
      const f = ffmpegEbur128(out);
      print(`limit ${rate}: ours ${m.result.truePeak.toFixed(3)} dBTP, ffmpeg ${f.truePeak.toFixed(3)} dBTP (ceiling ${ceiling}); loudness ours ${(m.result.integrated - target).toFixed(3)}, ffmpeg ${(f.integrated - target).toFixed(3)} LU from target; ${r.passes} passes, ${r.limiterReductionDb.toFixed(2)} dB max reduction`);
      assert.ok(f.truePeak <= ceiling, `ffmpeg ebur128: ${f.truePeak} dBTP over ${ceiling}`);
      near(f.integrated, target, 0.1, `ffmpeg loudness at ${rate}`);
    }
    // Latency compensated: where the limiter did not act (the quiet start), output = input * gain exactly.
    const reader = await openAudio(out);
    const [first] = await reader.chunks(2048).next().then((x) => x.value!);
    await reader.close();
    const g = 10 ** (r.gainDb / 20);
    let worst = 0;
    for (let i = 0; i < 1000; i++) worst = Math.max(worst, Math.abs(first![i]! - Math.fround(sig[0]![i]!) * g));
    assert.ok(worst < 1e-6, `output lines up with the input (worst difference ${worst})`);
  }
});

test('normalize --policy cap lowers the gain to fit; --policy error exits 1 naming the file and the shortfall', async () => {
  const input = writeWav(at('cap.wav'), programmeSignal(2, 5, 48000, 0.5), 48000);
  const r = await normalizeFile(input, at('cap-out.wav'), { target: -8, truePeak: -1, policy: 'cap' });
  assert.is(r.peakAction, 'cap');
  const m = await measureFile(at('cap-out.wav'));
  near(m.result.truePeak, -1, 0.02, 'capped true peak');
  near(m.result.integrated, r.before.integrated + (-1 - r.before.truePeak), 0.02, 'loudness reached');
  const e = cli(['normalize', '--target', '-8', '--policy', 'error', '-o', at('err-out.wav'), input]);
  assert.is(e.code, 1);
  assert.match(e.stderr, new RegExp(`^levelmatch: ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a gain of \\+\\d+\\.\\d\\d dB to reach -8\\.0 LUFS takes its true peak to -?\\d+\\.\\d\\d dBTP, \\d+\\.\\d\\d dB over the ceiling of -1\\.0 dBTP`));
  assert.ok(!existsSync(at('err-out.wav')), 'nothing written');
});

test('normalize --album: one gain, relative levels kept exactly, joint loudness on target', async () => {
  const a = writeWav(at('album-a.wav'), programmeSignal(2, 5, 48000, 0.3, 1), 48000);
  const b = writeWav(at('album-b.wav'), programmeSignal(2, 5, 48000, 0.08, 2), 48000);
  const [ra, rb] = await normalizeAlbum([{ input: a, output: at('album-a-out.wav') }, { input: b, output: at('album-b-out.wav') }], { target: -20 });
  assert.is(ra!.gainDb, rb!.gainDb, 'one gain');
  const [ma, mb] = [await measureFile(at('album-a-out.wav')), await measureFile(at('album-b-out.wav'))];
  near(ma.result.integrated - mb.result.integrated, ra!.before.integrated - rb!.before.integrated, 0.001, 'relative level');
  print(`album: relative level changed by ${((ma.result.integrated - mb.result.integrated) - (ra!.before.integrated - rb!.before.integrated)).toExponential(2)} LU`);
  // The joint loudness of the outputs, gated together as one programme.
  const blocks = [];
  for (const f of [at('album-a-out.wav'), at('album-b-out.wav')]) {
    const r = await openAudio(f);
    blocks.push((await analyse(r)).blocks);
    await r.close();
  }
  near(gatedLoudness(blocks), -20, 0.05, 'album loudness');
  print(`album: joint loudness - target = ${(gatedLoudness(blocks) + 20).toFixed(4)} LU`);
});

test('gated loudness of the 100 ms blocks equals the meter\'s integrated loudness', async () => {
  const r = await openAudio(writeWav(at('gate.wav'), programmeSignal(2, 7, 44100, 0.4, 3), 44100));
  const a = await analyse(r);
  await r.close();
  near(gatedLoudness([a.blocks]), a.result.integrated, 0.01, 'blocks vs meter');
});

test('match: within 0.05 LU of the reference (integrated); short-term follows the reference', async () => {
  const dry = programmeSignal(2, 8, 48000, 0.4, 5);
  const ref = writeWav(at('dry.wav'), dry, 48000);
  const processed = writeWav(at('wet.wav'), dry.map((x) => x.map((v, i) => v * 0.2 * (1 + i / x.length))), 48000);
  const r = await matchFile(processed, ref, at('matched.wav'));
  const [mr, mo] = [await measureFile(ref), await measureFile(at('matched.wav'))];
  near(mo.result.integrated, mr.result.integrated, 0.05, 'matched integrated');
  print(`match: output - reference = ${(mo.result.integrated - mr.result.integrated).toExponential(2)} LU`);
  near(r.target, mr.result.integrated, 1e-9, 'target is the reference');
  const st = await matchFile(processed, ref, at('matched-st.wav'), { detector: 'short-term' });
  const ro = await openAudio(at('matched-st.wav'));
  const rr = await openAudio(ref);
  const [ao, ar] = [await analyse(ro), await analyse(rr)];
  await ro.close();
  await rr.close();
  // The processed file's gain error ramps by 6 dB; after matching, short-term loudness tracks the reference.
  let worst = 0;
  for (let k = 30; k < ao.shortTerm.length - 15; k++) worst = Math.max(worst, Math.abs(ao.shortTerm[k]! - ar.shortTerm[k]!));
  assert.ok(worst < 0.5, `short-term follows within 0.5 LU (worst ${worst})`);
  print(`match short-term: worst short-term difference ${worst.toFixed(3)} LU`);
  assert.ok(st.gainDb > 0);
});

test('CLI: --target -16 and --true-peak -1 (negative numbers after the option), --json in argument order, exit 1 for a bad file', () => {
  const a = writeWav(at('cli-a.wav'), programmeSignal(1, 3, 48000, 0.1), 48000);
  const b = writeWav(at('cli-b.wav'), programmeSignal(2, 3, 44100, 0.1), 44100);
  const r = cli(['normalize', '--target', '-16', '--true-peak', '-1', '--out-dir', at('cli-out'), '--json', a, at('missing.wav'), b]);
  assert.is(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.map((x: { file: string }) => x.file), [a, at('missing.wav'), b]);
  near(j[0].after.integrated, -16, 0.05, 'first');
  near(j[2].after.integrated, -16, 0.05, 'third');
  assert.is(j[1].error, 'no such file');
  assert.match(r.stderr, /^levelmatch: .*missing\.wav: no such file\n$/);
  const eq = cli(['normalize', '--target=-16', '--format', 'pcm16', '-o', at('cli-eq.wav'), a]);
  assert.is(eq.code, 0, eq.stderr);
  assert.match(eq.stdout, /target -16\.0 LUFS; wrote pcm16/);
  assert.match(eq.stdout, /Integrated +-\d+\.\d +-16\.0 +LUFS/);
});

test('CLI: usage errors are one line naming the option (exit 2)', () => {
  const f = writeWav(at('u.wav'), programmeSignal(1, 1, 48000, 0.1), 48000);
  const cases: [string[], RegExp][] = [
    [['normalize', '--bogus', f], /^levelmatch: unknown option '--bogus' for 'levelmatch normalize'/],
    [['measure', '--bogus', f], /^levelmatch: unknown option '--bogus' for 'levelmatch measure'/],
    [['normalize', '--target', 'loud', '-o', at('x.wav'), f], /^levelmatch: --target expects a loudness in LUFS, e\.g\. --target -35; got 'loud'/],
    [['normalize', '--target', '-16', '--policy', 'maybe', '-o', at('x.wav'), f], /^levelmatch: --policy expects one of limit, cap, error; got 'maybe'/],
    [['normalize', '--target', '-16', f], /^levelmatch: say where to write: -o OUT, --out-dir DIR or --in-place/],
    [['normalize', '--preset', 'radio', '-o', at('x.wav'), f], /^levelmatch: --preset expects one of spotify, /],
    [['normalize', '-o', at('x.wav'), f], /^levelmatch: say what loudness to reach/],
    [['match', f, '-o', at('x.wav')], /^levelmatch: say what to match: --reference DRY/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.not.match(r.stderr.split('\n')[0]!, /"/, 'no stray quotes');
  }
});

test('CLI: never overwrites an input without --in-place; --in-place replaces it; --preset podcast uses -19 for mono', () => {
  const f = writeWav(at('inplace.wav'), programmeSignal(1, 3, 48000, 0.1), 48000);
  const before = hash(f);
  const r = cli(['normalize', '--preset', 'podcast', '-o', f, f]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /is the input: use --in-place to replace it/);
  assert.is(hash(f), before);
  const ok = cli(['normalize', '--preset', 'podcast', '--in-place', '--json', f]);
  assert.is(ok.code, 0, ok.stderr);
  const [j] = JSON.parse(ok.stdout);
  assert.is(j.target, -19);
  near(j.after.integrated, -19, 0.05, 'in place');
  assert.equal(readdirSync(dir).filter((n) => n.includes('.levelmatch-')), [], 'no temporaries left');
});

test('CLI: stdin ("-") in any format, normalised to -o', () => {
  if (!hasFfmpeg) return;
  const wav = writeWav(at('stdin-src.wav'), programmeSignal(2, 3, 48000, 0.2), 48000);
  spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-c:a', 'flac', at('stdin.flac')]);
  const r = cli(['normalize', '--target', '-18', '-o', at('stdin-out.wav'), '--json', '-'], readFileSync(at('stdin.flac')));
  assert.is(r.code, 0, r.stderr);
  const [j] = JSON.parse(r.stdout);
  assert.is(j.file, '-');
  assert.is(j.codec, 'FLAC');
  near(j.after.integrated, -18, 0.05, 'stdin');
});

test('SIGTERM mid-file leaves the input unchanged and no output (nor temporary) behind', async () => {
  // 60 s of stereo 48 kHz float (23 MB) that needs limiting: several passes, so still rendering when the signal comes.
  const big = writeWav(at('big.wav'), programmeSignal(2, 60, 48000, 0.9), 48000);
  const before = hash(big);
  const outDir = at('sig-out');
  const child = spawn(process.execPath, [path.join(root, 'bin/levelmatch.js'), 'normalize', '--target', '-6', '--out-dir', outDir, big], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait until the temporary output exists (rendering has begun), then signal.
  for (let i = 0; i < 600 && !(existsSync(outDir) && readdirSync(outDir).some((n) => n.includes('.levelmatch-'))); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(readdirSync(outDir).some((n) => n.includes('.levelmatch-')), 'a temporary output was being written');
  child.kill('SIGTERM');
  const code = await exited;
  assert.is(code, 143, stderr);
  assert.match(stderr, /interrupted by SIGTERM: no output was left half-written/);
  assert.equal(readdirSync(outDir), [], 'no output and no temporary');
  assert.is(hash(big), before, 'input unchanged');
  rmSync(big);
});

test.run();
