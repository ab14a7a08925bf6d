/**
 * End-to-end tests of `levelmatch measure`: they spawn `node bin/levelmatch.js` (the built dist/cli.js, built
 * here if out of date) on WAV files written to a temp dir, and a few call main() in-process.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dbToAmp, encodeFrames, fmtChunk, makeWav, riff, sine, wavHeader, type WavSpec } from '../wav/write-test-wav.ts';
import { main } from './main.ts';
import { formatDuration, formatNumber } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-cli-'));

test.before(() => {
  // The CLI tests run the bundle; rebuild it if any source is newer (a no-op after `npm run build`).
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-needed'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string }

function cli(...args: string[]): Run {
  return cliWithStdin(undefined, ...args);
}

/** Runs the CLI with `stdin` piped to its standard input (none: an empty pipe). */
function cliWithStdin(stdin: Uint8Array | undefined, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/levelmatch.js'), ...args], { cwd: root, encoding: 'utf8', input: stdin });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `measure --json` and parses stdout. */
function measureJson(...args: string[]): { code: number | null; results: any[]; stderr: string } {
  const r = cli('measure', '--json', ...args);
  return { code: r.code, results: JSON.parse(r.stdout), stderr: r.stderr };
}

function save(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** EBU Tech 3341 case 1: a 1 kHz sine at -23 dBFS peak in both channels measures -23.0 LUFS. */
const SINE_1K = (seconds: number, rate: number) => sine(1000, dbToAmp(-23), seconds, rate);
const silence = (seconds: number, rate: number) => new Float64Array(Math.round(seconds * rate));

// ---- usage ----

test('--version prints the package version', () => {
  const r = cli('--version');
  assert.is(r.code, 0);
  assert.is(r.stdout, `${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`);
});

test('--help and measure --help print usage on stdout, exit 0', () => {
  const top = cli('--help');
  assert.is(top.code, 0);
  assert.match(top.stdout, /Usage: levelmatch measure \[--json\] \[--layout LAYOUT\] FILE\.\.\./);
  const m = cli('measure', '--help');
  assert.is(m.code, 0);
  assert.match(m.stdout, /--json/);
  assert.match(m.stdout, /--layout LAYOUT/);
  assert.match(m.stdout, /5\.1/);
  assert.match(m.stdout, /A FILE of - \(once at most\) reads standard input, in any of those formats/);
  assert.match(m.stdout, /ffmpeg -i song\.flac -f wav - \| levelmatch measure -/);
});

test('usage errors: message and usage on stderr, nothing on stdout, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['analyse', 'x.wav'], /unknown command 'analyse'/],
    [['--bogus'], /^levelmatch: unknown option '--bogus' for 'levelmatch' /],
    [['measure', '--bogus', 'x.wav'], /^levelmatch: unknown option '--bogus' for 'levelmatch measure' \(a file whose name starts with - can be given as \.\/--bogus\)\n/],
    [['measure'], /no FILE given/],
    [['measure', '--json'], /no FILE given/],
    [['measure', '--layout'], /--layout/],
    [['measure', '--layout', '9.1', 'x.wav'], /unknown --layout '9\.1'/],
    [['measure', '--layout', 'L,R,Q', 'x.wav'], /unknown channel role 'Q' in --layout/],
    [['measure', '-', 'x.wav', '-'], /'-' \(standard input\) may be given only once/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.is(r.code, 2, `levelmatch ${args.join(' ')}`);
    assert.is(r.stdout, '');
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: levelmatch measure/);
  }
});

// ---- measurements ----

test('stereo 1 kHz sine at -23 dBFS measures -23.0 LUFS in every sample format', () => {
  const formats: [string, WavSpec][] = [
    ['pcm8', { sampleRate: 48000, format: 'pcm', bits: 8 }],
    ['pcm16', { sampleRate: 48000, format: 'pcm', bits: 16 }],
    ['pcm24', { sampleRate: 48000, format: 'pcm', bits: 24 }],
    ['pcm32', { sampleRate: 48000, format: 'pcm', bits: 32 }],
    ['float32', { sampleRate: 48000, format: 'float', bits: 32 }],
    ['float64', { sampleRate: 48000, format: 'float', bits: 64 }],
    ['ext-pcm24', { sampleRate: 48000, format: 'pcm', bits: 24, mask: 0x3 }],
    ['ext-float32', { sampleRate: 48000, format: 'float', bits: 32, mask: 0x3 }],
    ['rf64-pcm16', { sampleRate: 48000, format: 'pcm', bits: 16, rf64: true }],
  ];
  const s = SINE_1K(20, 48000);
  const files = formats.map(([name, spec]) => save(`sine-${name}.wav`, makeWav(spec, [s, s])));
  const { code, results } = measureJson(...files);
  assert.is(code, 0);
  assert.is(results.length, formats.length);
  results.forEach((r, i) => {
    const name = formats[i]![0];
    assert.is(r.file, files[i]);
    assert.is(r.sampleRate, 48000);
    assert.is(r.channels, 2);
    assert.is(r.duration, 20);
    assert.equal(r.layout, ['L', 'R']);
    near(r.integrated, -23, 0.1, `${name} integrated`);
    near(r.momentaryMax, -23, 0.1, `${name} momentary max`);
    near(r.shortTermMax, -23, 0.1, `${name} short-term max`);
    near(r.range, 0, 0.1, `${name} loudness range`);
    near(r.samplePeak, -23, 0.1, `${name} sample peak`); // 8-bit rounds the peak to 9/128 = -23.06 dBFS
    near(r.truePeak, -23, 0.1, `${name} true peak`);
    assert.is(r.nonFinite, 0);
  });
});

test('the same sine measures -23.0 LUFS at 8, 44.1, 96 and 192 kHz', () => {
  const rates = [8000, 44100, 96000, 192000];
  const files = rates.map((rate) => {
    const s = SINE_1K(10, rate);
    return save(`sine-${rate}.wav`, makeWav({ sampleRate: rate, format: 'pcm', bits: 24 }, [s, s]));
  });
  const { code, results } = measureJson(...files);
  assert.is(code, 0);
  results.forEach((r, i) => {
    assert.is(r.sampleRate, rates[i]);
    near(r.duration, 10, 1e-9, 'duration');
    near(r.integrated, -23, 0.1, `${rates[i]} Hz integrated`);
  });
});

test('5.1 ignores a loud LFE (mask 0x3F, mask 0x60F and plain 6-channel PCM)', () => {
  const rate = 48000;
  const s = SINE_1K(10, rate);
  const lfe = sine(60, dbToAmp(-6), 10, rate);
  const z = silence(10, rate);
  const planar = [s, s, z, lfe, z, z];
  const files = [
    save('51-back.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 24, mask: 0x3f }, planar)),
    save('51-side.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 24, mask: 0x60f }, planar)),
    save('51-plain.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 24 }, planar)),
  ];
  const { code, results } = measureJson(...files);
  assert.is(code, 0);
  for (const r of results) {
    assert.equal(r.layout, ['L', 'R', 'C', 'LFE', 'Ls', 'Rs']);
    near(r.integrated, -23, 0.1, `${r.file} integrated`);
    near(r.channelSamplePeak[3], -6, 0.05, 'the LFE still has its peak');
    assert.is(r.channelSamplePeak[2], null); // silent centre
  }
  // Calling the LFE channel "L" makes it count: the result must be far louder.
  const counted = measureJson('--layout', 'L,R,C,L,Ls,Rs', files[0]!).results[0];
  assert.equal(counted.layout, ['L', 'R', 'C', 'L', 'Ls', 'Rs']);
  // (The 60 Hz sine at -6 dBFS alone is about -12.5 LUFS after K-weighting; with L and R about -12.2.)
  assert.ok(counted.integrated > -14 && counted.integrated < -10, `LFE counted as L: ${counted.integrated}`);
  // And X (unused) ignores it like LFE.
  near(measureJson('--layout', 'L,R,C,X,Ls,Rs', files[0]!).results[0].integrated, -23, 0.1, 'LFE as X');
});

test('the channel mask sets the weights: BL is a 1.41 surround in 5.1, a 1.0 rear channel in 7.1', () => {
  const rate = 48000;
  const s = SINE_1K(10, rate);
  const z = silence(10, rate);
  // The sine is in the 5th stored channel (BL) of both files; only the masks differ.
  const back51 = save('bl-51.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 16, mask: 0x3f }, [z, z, z, z, s, z]));
  const back71 = save('bl-71.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 16, mask: 0x63f }, [z, z, z, z, s, z, z, z]));
  const mono = save('mono.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 16 }, [s]));
  const [a, b, c] = measureJson(back51, back71, mono).results;
  assert.equal(a.layout, ['L', 'R', 'C', 'LFE', 'Ls', 'Rs']);
  assert.equal(b.layout, ['L', 'R', 'C', 'LFE', 'Lb', 'Rb', 'Ls', 'Rs']);
  near(c.integrated, -26, 0.1, 'mono sine (one channel, weight 1.0)');
  near(b.integrated, -26, 0.1, 'sine in Lb (weight 1.0)');
  near(a.integrated - b.integrated, 10 * Math.log10(1.41), 0.02, 'Ls minus Lb');
  // --layout overrides the mask.
  near(measureJson('--layout', '7.1', back71).results[0].integrated, -26 + 10 * Math.log10(1.41), 0.1, '7.1 by name: channel 5 is Ls');
});

test('--json: one array in argument order, null for -inf readings, failed files as { file, error }', () => {
  const silent = save('silent.wav', makeWav({ sampleRate: 44100, format: 'pcm', bits: 16 }, [silence(5, 44100), silence(5, 44100)]));
  const s = SINE_1K(5, 48000);
  const tone = save('tone.wav', makeWav({ sampleRate: 48000, format: 'float', bits: 32 }, [s, s]));
  const missing = path.join(dir, 'missing.wav');
  const { code, results, stderr } = measureJson(silent, missing, tone);
  assert.is(code, 1);
  assert.is(results.length, 3);
  assert.equal(Object.keys(results[0]).sort(), [
    'bitsPerSample', 'channelSamplePeak', 'channelTruePeak', 'channels', 'duration', 'file', 'format', 'integrated',
    'layout', 'momentary', 'momentaryMax', 'nonFinite', 'range', 'samplePeak', 'sampleRate', 'shortTerm',
    'shortTermMax', 'truePeak',
  ]);
  const q = results[0];
  assert.equal([q.file, q.sampleRate, q.channels, q.duration, q.format, q.bitsPerSample], [silent, 44100, 2, 5, 'pcm', 16]);
  for (const key of ['integrated', 'momentary', 'shortTerm', 'momentaryMax', 'shortTermMax', 'truePeak', 'samplePeak']) {
    assert.is(q[key], null, key);
  }
  assert.equal(q.channelTruePeak, [null, null]);
  assert.equal(q.channelSamplePeak, [null, null]);
  assert.is(q.range, 0);
  assert.equal(results[1], { file: missing, error: 'no such file' });
  assert.is(results[2].file, tone);
  near(results[2].integrated, -23, 0.1, 'tone');
  assert.is(results[2].channelTruePeak.length, 2);
  assert.is(stderr, `levelmatch: ${missing}: no such file\n`);
});

test('table output shows the format line and the readings', () => {
  const s = SINE_1K(20, 48000);
  const file = save('table.wav', makeWav({ sampleRate: 48000, format: 'pcm', bits: 24 }, [s, s]));
  const silent = save('table-silent.wav', makeWav({ sampleRate: 8000, format: 'float', bits: 64 }, [silence(2, 8000)]));
  const r = cli('measure', file, silent);
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  const [first, second] = r.stdout.split('\n\n');
  assert.match(first!, new RegExp(`^${escape(file)}\n`));
  assert.match(first!, /Format +48000 Hz, 2 ch, 24-bit PCM, 0:20\.000\n/);
  assert.match(first!, /Layout +L R\n/);
  assert.match(first!, /Integrated +-23\.0 LUFS\n/);
  assert.match(first!, /Loudness range +0\.0 LU\n/);
  assert.match(first!, /Momentary max +-23\.0 LUFS\n/);
  assert.match(first!, /Short-term max +-23\.0 LUFS\n/);
  assert.match(first!, /True peak +-23\.0\d dBTP\n +1 L +-23\.0\d dBTP\n +2 R +-23\.0\d dBTP\n/);
  assert.match(first!, /Sample peak +-23\.00 dBFS$/);
  assert.not.match(first!, /Non-finite/);
  assert.match(second!, /8000 Hz, 1 ch, 64-bit float, 0:02\.000/);
  assert.match(second!, /Integrated +-inf LUFS/);
  assert.match(second!, /True peak +-inf dBTP/);
  // Every number ends in the same column.
  const ends = first!.split('\n').filter((l) => / (LUFS|LU|dBTP|dBFS)$/.test(l)).map((l) => l.lastIndexOf(' '));
  assert.is(ends.length, 8);
  assert.is(new Set(ends).size, 1, 'numbers are aligned');
});

test('non-finite samples are counted and reported', () => {
  const s = SINE_1K(5, 48000);
  const bad = Float64Array.from(s);
  bad[1000] = NaN;
  bad[2000] = Infinity;
  bad[3000] = -Infinity;
  const file = save('nan.wav', makeWav({ sampleRate: 48000, format: 'float', bits: 32 }, [bad, s]));
  const table = cli('measure', file);
  assert.is(table.code, 0);
  assert.match(table.stdout, /Non-finite samples +3 \(metered as silence\)/);
  assert.is(measureJson(file).results[0].nonFinite, 3);
});

// ---- bad files ----

test('bad files: one line each naming file and problem; the other files are still measured; exit 1', () => {
  const fmt16 = fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 });
  const data = { id: 'data', body: Buffer.alloc(4000) };
  const truncated = riff([fmt16, data]).subarray(0, 1044);
  const s = SINE_1K(5, 48000);
  mkdirSync(path.join(dir, 'a-directory.wav'), { recursive: true });
  const bad: [string, RegExp][] = [
    [path.join(dir, 'nowhere.wav'), /no such file/],
    [path.join(dir, 'a-directory.wav'), /is a directory/],
    [save('empty.wav', Buffer.alloc(0)), /empty file/],
    [save('random.wav', Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) % 256))), /not an audio file we can read \(we read WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus, and M4A\/AAC through ffmpeg\)/],
    [save('text.wav', Buffer.from('This is not audio.\nIt is a text file.\n')), /not an audio file we can read/],
    [save('no-fmt.wav', riff([data])), /no fmt chunk/],
    [save('no-data.wav', riff([fmt16])), /no data chunk/],
    [save('truncated.wav', truncated), /truncated file: the data chunk declares 4000 bytes but only 1000 are present/],
    [save('mp3.wav', riff([fmtChunk({ tag: 0x55, channels: 2, sampleRate: 44100, bits: 0, blockAlign: 1 }), data])), /unsupported format tag 0x0055 \(MPEG Layer 3 \(MP3\)\)/],
    [save('adpcm.wav', riff([fmtChunk({ tag: 2, channels: 1, sampleRate: 44100, bits: 4, blockAlign: 256 }), data])), /unsupported format tag 0x0002 \(Microsoft ADPCM\)/],
    [save('12bit.wav', riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 48000, bits: 12, blockAlign: 2 }), data])), /unsupported bit depth: 12-bit PCM/],
    [save('9ch.wav', riff([fmtChunk({ tag: 1, channels: 9, sampleRate: 48000, bits: 16 }), data])), /unsupported channel count 9/],
    [save('4khz.wav', riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 4000, bits: 16 }), data])), /unsupported sample rate 4000 Hz/],
  ];
  const good1 = save('good1.wav', makeWav({ sampleRate: 48000, format: 'pcm', bits: 16 }, [s, s]));
  const good2 = save('good2.wav', makeWav({ sampleRate: 48000, format: 'pcm', bits: 24 }, [s, s]));
  const files = [good1, ...bad.map(([f]) => f), good2];

  const r = cli('measure', ...files);
  assert.is(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, bad.length, r.stderr);
  bad.forEach(([file, problem], i) => {
    assert.match(lines[i]!, new RegExp(`^levelmatch: ${escape(file)}: `));
    assert.match(lines[i]!, problem);
  });
  assert.match(r.stdout, new RegExp(`^${escape(good1)}\n`));
  assert.match(r.stdout, new RegExp(`\n${escape(good2)}\n`));
  assert.is(r.stdout.match(/Integrated +-23\.0 LUFS/g)?.length, 2);

  const j = measureJson(...files);
  assert.is(j.code, 1);
  assert.is(j.results.length, files.length);
  near(j.results[0].integrated, -23, 0.1, 'first good file');
  near(j.results.at(-1).integrated, -23, 0.1, 'last good file');
  bad.forEach(([file, problem], i) => {
    assert.equal(Object.keys(j.results[i + 1]), ['file', 'error']);
    assert.is(j.results[i + 1].file, file);
    assert.match(j.results[i + 1].error, problem);
  });
});

test('--layout with the wrong channel count is an error for that file only', () => {
  const s = SINE_1K(5, 48000);
  const stereo = save('layout-stereo.wav', makeWav({ sampleRate: 48000, format: 'pcm', bits: 16 }, [s, s]));
  const six = save('layout-six.wav', makeWav({ sampleRate: 48000, format: 'pcm', bits: 16 }, [s, s, s, s, s, s]));
  const r = cli('measure', '--layout', '5.1', stereo, six);
  assert.is(r.code, 1);
  assert.is(r.stderr, `levelmatch: ${stereo}: --layout 5.1 has 6 channel(s) but the file has 2\n`);
  assert.match(r.stdout, new RegExp(`${escape(six)}\n  Format.*\n  Layout +L R C LFE Ls Rs\n`));
});

// ---- standard input ("-") ----

test('measure -: a sine piped to stdin measures -23.0 LUFS (16-bit, float32; declared size and 0xFFFFFFFF)', () => {
  const s = SINE_1K(20, 48000);
  const cases: [string, WavSpec][] = [
    ['pcm16', { sampleRate: 48000, format: 'pcm', bits: 16 }],
    ['float32', { sampleRate: 48000, format: 'float', bits: 32 }],
    ['pcm16 0xFFFFFFFF', { sampleRate: 48000, format: 'pcm', bits: 16, unknownLength: true }],
    ['float32 0xFFFFFFFF', { sampleRate: 48000, format: 'float', bits: 32, unknownLength: true }],
    ['rf64 pcm24', { sampleRate: 48000, format: 'pcm', bits: 24, rf64: true }],
  ];
  for (const [name, spec] of cases) {
    const r = cliWithStdin(makeWav(spec, [s, s]), 'measure', '--json', '-');
    assert.is(r.code, 0, `${name}: ${r.stderr}`);
    assert.is(r.stderr, '');
    const [m] = JSON.parse(r.stdout);
    assert.is(m.file, '-');
    assert.equal([m.sampleRate, m.channels, m.format, m.bitsPerSample], [48000, 2, spec.format, spec.bits], name);
    assert.is(m.duration, 20, `${name} duration`);
    near(m.integrated, -23, 0.1, `${name} integrated`);
    near(m.shortTermMax, -23, 0.1, `${name} short-term max`);
    near(m.range, 0, 0.1, `${name} loudness range`);
    near(m.truePeak, -23, 0.1, `${name} true peak`);
  }
});

test('measure - (table): titled (stdin), the format line shows the duration read from a 0xFFFFFFFF stream', () => {
  const s = SINE_1K(12.5, 44100);
  const r = cliWithStdin(makeWav({ sampleRate: 44100, format: 'pcm', bits: 24, unknownLength: true }, [s, s]), 'measure', '-');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /^\(stdin\)\n  Format +44100 Hz, 2 ch, 24-bit PCM, 0:12\.500\n/);
  assert.match(r.stdout, /Integrated +-23\.0 LUFS\n/);
});

test('measure a.wav - b.wav: files and stdin in argument order', () => {
  const rate = 48000;
  const s = SINE_1K(10, rate);
  const a = save('order-a.wav', makeWav({ sampleRate: rate, format: 'pcm', bits: 16 }, [s, s]));
  const b = save('order-b.wav', makeWav({ sampleRate: 44100, format: 'pcm', bits: 16 }, [silence(3, 44100)]));
  const piped = makeWav({ sampleRate: 32000, format: 'float', bits: 32, unknownLength: true }, [SINE_1K(7, 32000)]);
  const r = cliWithStdin(piped, 'measure', '--json', a, '-', b);
  assert.is(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout);
  assert.equal(results.map((m: any) => m.file), [a, '-', b]);
  assert.equal(results.map((m: any) => m.duration), [10, 7, 3]);
  near(results[0].integrated, -23, 0.1, 'a.wav (stereo sine)');
  near(results[1].integrated, -26, 0.1, 'stdin (mono sine)');
  assert.is(results[1].sampleRate, 32000);
  assert.is(results[2].integrated, null);
  const table = cliWithStdin(piped, 'measure', a, '-', b);
  assert.is(table.code, 0);
  assert.equal(table.stdout.split('\n\n').map((t) => t.split('\n')[0]), [a, '(stdin)', b]);
});

test('measure -: bad streams are one-line errors for "-", exit 1, the other files still measured', () => {
  const fmt16 = fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 });
  const s = SINE_1K(5, 48000);
  const whole = makeWav({ sampleRate: 48000, format: 'pcm', bits: 16 }, [s, s]);
  const good = save('stdin-neighbour.wav', whole);
  const bad: [string, Uint8Array, RegExp][] = [
    ['fmt after data', riff([{ id: 'data', body: Buffer.alloc(4000) }, fmt16]), /^the data chunk comes before the fmt chunk/],
    ['truncated', whole.subarray(0, whole.length / 2), /^truncated stream: the data chunk declares 960000 bytes but the stream ends after 479978 of them$/],
    ['not WAV', Buffer.from('This is not audio.\nIt is a text file.\n'), /^not an audio stream we can read \(we read WAV, /],
    ['empty', Buffer.alloc(0), /^empty stream$/],
    ['mp3 in WAV', riff([fmtChunk({ tag: 0x55, channels: 2, sampleRate: 44100, bits: 0, blockAlign: 1 }), { id: 'data', body: Buffer.alloc(100) }]), /^unsupported format tag 0x0055/],
  ];
  for (const [name, bytes, problem] of bad) {
    const r = cliWithStdin(bytes, 'measure', '-', good);
    assert.is(r.code, 1, name);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.is(lines.length, 1, `${name}: ${r.stderr}`);
    assert.match(lines[0]!, /^levelmatch: -: /, name);
    assert.match(lines[0]!.slice('levelmatch: -: '.length), problem, name);
    assert.match(r.stdout, new RegExp(`^${escape(good)}\n`), `${name}: the file after "-" is measured`);
    assert.not.match(r.stdout, /\(stdin\)/, `${name}: no table for the failed stream`);
    // --json: { file: "-", error }, never a (partial) measurement.
    const j = cliWithStdin(bytes, 'measure', '--json', '-', good);
    assert.is(j.code, 1, name);
    const [first, second] = JSON.parse(j.stdout);
    assert.equal(Object.keys(first), ['file', 'error'], name);
    assert.is(first.file, '-');
    assert.match(first.error, problem, name);
    near(second.integrated, -23, 0.1, `${name}: the good file`);
  }
});

// ---- progress bar (in-process, with a fake terminal) ----

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function runMain(args: string[], stderrIsTTY: boolean, stdin?: Readable) {
  const io = { stdout: new Capture(false), stderr: new Capture(stderrIsTTY), stdin };
  const code = await main(args, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

test('progress bar on a terminal for files over 60 s, never otherwise', async () => {
  const long = save('long.wav', makeWav({ sampleRate: 8000, format: 'pcm', bits: 16 }, [SINE_1K(61, 8000)]));
  const short = save('short.wav', makeWav({ sampleRate: 8000, format: 'pcm', bits: 16 }, [SINE_1K(59, 8000)]));
  const tty = await runMain(['measure', '--json', long], true);
  assert.is(tty.code, 0);
  assert.match(tty.stderr, /long\.wav \[.*\] \d+% \| \d+\/61 s of audio/);
  assert.ok(tty.stderr.includes('\x1B[?25h'), 'the cursor is shown again');
  assert.ok(tty.stderr.endsWith('\x1B[2K'), 'the bar is cleared at the end');
  near(JSON.parse(tty.stdout)[0].integrated, -26, 0.1, 'mono sine in-process');
  assert.is((await runMain(['measure', '--json', short], true)).stderr, '');
  assert.is((await runMain(['measure', '--json', long], false)).stderr, '');
});

test('progress bar for stdin only when its length is known', async () => {
  const audio = [SINE_1K(61, 8000)];
  const known = makeWav({ sampleRate: 8000, format: 'pcm', bits: 16 }, audio);
  const unknown = makeWav({ sampleRate: 8000, format: 'pcm', bits: 16, unknownLength: true }, audio);
  const withBar = await runMain(['measure', '--json', '-'], true, Readable.from([known]));
  assert.is(withBar.code, 0);
  assert.match(withBar.stderr, /- \[.*\] \d+% \| \d+\/61 s of audio/);
  const noBar = await runMain(['measure', '--json', '-'], true, Readable.from([unknown]));
  assert.is(noBar.code, 0);
  assert.is(noBar.stderr, '');
  const [m] = JSON.parse(noBar.stdout);
  assert.is(m.duration, 61);
  near(m.integrated, -26, 0.1, 'mono sine from an in-process stream');
});

test('main() in-process: stdin on a terminal is an error, not a hang', async () => {
  const tty = Object.assign(Readable.from([]), { isTTY: true });
  const r = await runMain(['measure', '-'], false, tty);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^levelmatch: -: standard input is a terminal: pipe audio into it/);
});

test('main() in-process: usage errors return 2, --version returns 0', async () => {
  assert.is((await runMain(['measure'], false)).code, 2);
  assert.is((await runMain(['--version'], false)).code, 0);
});

test('formatNumber and formatDuration', () => {
  assert.is(formatNumber(-23.04, 1), '-23.0');
  assert.is(formatNumber(-0.999, 2), '-1.00');
  assert.is(formatNumber(-Infinity, 1), '-inf');
  assert.is(formatDuration(205.12), '3:25.120');
  assert.is(formatDuration(0), '0:00.000');
  assert.is(formatDuration(59.9996), '1:00.000');
  assert.is(formatDuration(7200), '2:00:00.000');
  assert.is(formatDuration(3725.5), '1:02:05.500');
});

// ---- bounded memory ----

test('a 2-hour file is measured in bounded memory', () => {
  // 2 h of mono 8 kHz 16-bit: 115.2 MB. A 1 kHz sine at -23 dBFS repeats every 8 samples, so one second of
  // samples is written 7200 times. Reading the whole file would need ~115 MB + ~230 MB of floats.
  const seconds = 7200;
  const spec: WavSpec = { sampleRate: 8000, format: 'pcm', bits: 16 };
  const big = path.join(dir, 'two-hours.wav');
  const oneSecond = encodeFrames(spec, [SINE_1K(1, 8000)]);
  const minute = Buffer.concat(Array.from({ length: 60 }, () => oneSecond));
  const fd = openSync(big, 'w');
  try {
    writeSync(fd, wavHeader(spec, 1, seconds * oneSecond.length));
    for (let s = 0; s < seconds; s += 60) writeSync(fd, minute);
  } finally {
    closeSync(fd);
  }
  const short = save('twenty-seconds.wav', makeWav(spec, [SINE_1K(20, 8000)]));
  try {
    // A wrapper that runs the bundled CLI and then reports the process's peak resident set size (KiB).
    // VmHWM belongs to the process's own address space; getrusage's maxRSS would also count the memory of
    // the (large) test process that forked it, which Linux carries across exec.
    const wrapper = `const { main } = await import(process.argv[1]);
      process.exitCode = await main(process.argv.slice(2));
      const hwm = /VmHWM:\\s*(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1];
      process.stderr.write('maxRSS=' + hwm + '\\n');`;
    const r = spawnSync(process.execPath, [
      '--max-old-space-size=40', '--input-type=module', '-e', wrapper,
      path.join(root, 'dist/cli.js'), 'measure', '--json', big, short,
    ], { encoding: 'utf8', timeout: 60_000 });
    assert.is(r.status, 0, r.stderr);
    const [long, ref] = JSON.parse(r.stdout);
    assert.is(long.duration, seconds);
    near(long.integrated, ref.integrated, 0.05, '2-hour vs 20-second integrated loudness');
    near(long.integrated, -26, 0.2, '2-hour mono sine');
    const maxRssMiB = Number(/maxRSS=(\d+)/.exec(r.stderr)![1]) / 1024;
    assert.ok(maxRssMiB < 200, `peak RSS ${maxRssMiB.toFixed(0)} MiB`);
  } finally {
    rmSync(big, { force: true });
  }
});

test('a 2-hour WAV stream of unknown length on stdin is measured in bounded memory', async () => {
  // 2 h of mono 8 kHz 16-bit with data size 0xFFFFFFFF, written to the CLI's stdin a minute at a time: 115.2 MB,
  // more than the memory allowed below, so the reader must not keep what it has read.
  const seconds = 7200;
  const spec: WavSpec = { sampleRate: 8000, format: 'pcm', bits: 16, unknownLength: true };
  const minute = Buffer.concat(Array.from({ length: 60 }, () => encodeFrames(spec, [SINE_1K(1, 8000)])));
  const wrapper = `const { main } = await import(process.argv[1]);
    process.exitCode = await main(process.argv.slice(2));
    const hwm = /VmHWM:\\s*(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1];
    process.stderr.write('maxRSS=' + hwm + '\\n');`;
  const child = spawn(process.execPath, [
    '--max-old-space-size=40', '--input-type=module', '-e', wrapper, path.join(root, 'dist/cli.js'), 'measure', '--json', '-',
  ], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const write = (b: Buffer) => new Promise<void>((resolve, reject) => child.stdin.write(b, (e) => (e ? reject(e) : resolve())));
  await write(wavHeader(spec, 1, 0));
  for (let s = 0; s < seconds; s += 60) await write(minute);
  child.stdin.end();
  assert.is(await exited, 0, stderr);
  const [m] = JSON.parse(stdout);
  assert.is(m.file, '-');
  assert.is(m.duration, seconds);
  near(m.integrated, -26, 0.2, '2-hour mono sine from stdin');
  const maxRssMiB = Number(/maxRSS=(\d+)/.exec(stderr)![1]) / 1024;
  assert.ok(maxRssMiB < 110, `peak RSS ${maxRssMiB.toFixed(0)} MiB`);
});

test.run();
