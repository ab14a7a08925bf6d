// Headers the fuzzing found read differently from sox and ffmpeg (issue 11), and files that cannot be read at
// positions (FIFOs): each read as those tools read it. Where ffmpeg is installed (CI installs it) the frame
// count and format are checked against it as well.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openWav, openWavStream, type WavReader } from './reader.ts';
import { encodeFrames, encodeChunk, fmtChunk, makeWav, riff, sine, type WavSpec } from './write-test-wav.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-quirks-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const save = (bytes: Uint8Array) => {
  const p = path.join(dir, `q${n++}.wav`);
  writeFileSync(p, bytes);
  return p;
};
const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_FFMPEG && process.env.CI) throw new Error('ffmpeg is missing: CI installs it');

/** What ffmpeg decodes from a file: frames, sample rate and channels (or undefined without ffmpeg). */
function ffmpegRead(file: string): { frames: number; sampleRate: number; channels: number } | undefined {
  if (!HAVE_FFMPEG) return undefined;
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'], { maxBuffer: 1 << 26 });
  const info = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels', '-of', 'json', file], { encoding: 'utf8' });
  const s = JSON.parse(info.stdout).streams[0];
  const channels = Number(s.channels);
  return { frames: r.stdout.length / 4 / channels, sampleRate: Number(s.sample_rate), channels };
}

async function readAll(r: WavReader): Promise<{ frames: number; first: number[] }> {
  let frames = 0;
  const first: number[] = [];
  try {
    for await (const chunk of r.chunks(1000)) {
      if (first.length === 0) first.push(chunk[0]![0]!, chunk[0]![1]!);
      frames += chunk[0]!.length;
    }
  } finally {
    await r.close();
  }
  return { frames, first };
}

const SPEC: WavSpec = { sampleRate: 48000, format: 'pcm', bits: 16 };
const AUDIO = [sine(1000, 0.5, 0.25, 48000), sine(500, 0.25, 0.25, 48000)];
const DATA = encodeFrames(SPEC, AUDIO);

test('a RIFF data size of 0 with audio after it: read to the end (as ffmpeg and sox do)', async () => {
  const file = save(riff([fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 }), { id: 'data', body: DATA, declaredSize: 0 }]));
  const r = await openWav(file);
  assert.is(r.info.frames, 12000);
  const { frames, first } = await readAll(r);
  assert.is(frames, 12000);
  assert.ok(Math.abs(first[1]! - 0.5 * Math.sin((2 * Math.PI * 1000) / 48000)) < 1e-4, 'the audio itself');
  const ff = ffmpegRead(file);
  if (ff) assert.is(ff.frames, 12000, 'ffmpeg reads the same frames');
  // The same as a stream.
  const s = await openWavStream(Readable.from([Buffer.from(riff([fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 }), { id: 'data', body: DATA, declaredSize: 0 }]))]));
  assert.is((await readAll(s)).frames, 12000);
});

test('an RF64 file whose ds64 data size is 0: read to the end', async () => {
  const ds64 = Buffer.alloc(28); // riff size, data size 0, sample count 0, table length 0
  const bytes = riff([{ id: 'ds64', body: ds64 }, fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 }),
    { id: 'data', body: DATA, declaredSize: 0xffffffff }], 'RF64');
  const file = save(bytes);
  const { frames } = await readAll(await openWav(file));
  assert.is(frames, 12000);
  // (Here ffmpeg 5.1 and sox 14.4.2 decode 0 frames: they trust the ds64 size. A 0 there is what a recorder that
  // never came back to finish its header leaves; reading the audio loses nothing, and a RIFF size of 0 is read
  // to the end by ffmpeg too.)
});

test('a genuinely empty data chunk is still 0 frames', async () => {
  const r = await openWav(save(riff([fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 }), { id: 'data', body: new Uint8Array(0) }])));
  assert.is((await readAll(r)).frames, 0);
});

test('two fmt chunks before data: the first one describes the audio (as sox and ffmpeg read it)', async () => {
  const bytes = riff([
    fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 }),
    fmtChunk({ tag: 3, channels: 1, sampleRate: 44100, bits: 32 }),
    { id: 'data', body: DATA },
  ]);
  const file = save(bytes);
  const r = await openWav(file);
  assert.is(r.info.sampleRate, 48000);
  assert.is(r.info.channels, 2);
  assert.is(r.info.format, 'pcm');
  assert.is((await readAll(r)).frames, 12000);
  const ff = ffmpegRead(file);
  if (ff) assert.equal(ff, { frames: 12000, sampleRate: 48000, channels: 2 }, 'ffmpeg agrees');
});

test('a FIFO is read in order, like a stream (no positional reads)', async () => {
  const fifo = path.join(dir, 'pipe.wav');
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) {
    console.log('  (mkfifo not available: FIFO case skipped)');
    return;
  }
  const opening = openWav(fifo);
  createWriteStream(fifo).end(makeWav(SPEC, AUDIO));
  const r = await opening;
  assert.is(r.info.lengthKnown, true, 'the header gives the length');
  assert.is((await readAll(r)).frames, 12000);
});

test.run();
