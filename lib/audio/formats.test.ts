/**
 * The audio reader on every container it reads: files encoded at test time by ffmpeg (libmp3lame, flac,
 * libvorbis, libopus, aac, pcm_s16be/s24be AIFF) measure within 0.1 LU of ffmpeg's own ebur128 on the same
 * file, through a file and through standard input; content decides the format, not the name.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { measureFile } from '../cli/measure-file.ts';
import { ffmpegEbur128, hasFfmpeg, programmeSignal, writeWav } from '../file-tools/test-signals.ts';
import { detectFormat } from './detect.ts';
import { openAudio } from './open-audio.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-formats-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const ENCODINGS: { ext: string; args: string[]; container: string; codec: string }[] = [
  { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '192k'], container: 'mp3', codec: 'MP3' },
  { ext: 'flac', args: ['-c:a', 'flac'], container: 'flac', codec: 'FLAC' },
  { ext: 'ogg', args: ['-c:a', 'libvorbis', '-q:a', '5'], container: 'ogg-vorbis', codec: 'Vorbis' },
  { ext: 'opus', args: ['-c:a', 'libopus', '-b:a', '128k'], container: 'ogg-opus', codec: 'Opus' },
  { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '192k'], container: 'mp4', codec: 'AAC/M4A (ffmpeg)' },
  { ext: 'aiff', args: ['-c:a', 'pcm_s16be'], container: 'aiff', codec: 'PCM' },
  { ext: 'aifc', args: ['-c:a', 'pcm_s24be', '-f', 'aiff'], container: 'aiff', codec: 'PCM' },
];

test('every decoded format measures within 0.1 LU of ffmpeg on the same file (stereo 48 kHz and mono 44.1 kHz)', async () => {
  if (!hasFfmpeg) {
    if (process.env.CI === 'true') throw new Error('ffmpeg is missing (CI installs it: .ci/run)');
    console.warn('ffmpeg not found: skipped');
    return;
  }
  for (const [channels, rate] of [[2, 48000], [1, 44100]] as const) {
    const src = writeWav(path.join(dir, `src-${channels}.wav`), programmeSignal(channels, 4, rate, 0.5, 11), rate);
    // Mono only for the lossy codecs, whose decoders handle channel counts in their own ways.
    for (const e of ENCODINGS.filter((x) => channels === 2 || ['mp3', 'ogg', 'opus', 'm4a'].includes(x.ext))) {
      const f = path.join(dir, `enc-${channels}.${e.ext}`);
      const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', src, ...e.args, f], { encoding: 'utf8' });
      assert.is(r.status, 0, `ffmpeg could not encode ${e.ext}: ${r.stderr}`);
      const ours = await measureFile(f);
      const theirs = ffmpegEbur128(f);
      assert.is(ours.info.container, e.container, e.ext);
      assert.is(ours.info.codec, e.codec, e.ext);
      assert.is(ours.info.channels, channels, `${e.ext} channels`);
      const diff = Math.abs(ours.result.integrated - theirs.integrated);
      if (process.env.LEVELMATCH_PRINT) console.log(`${e.ext} ${channels} ch: ours - ffmpeg = ${(ours.result.integrated - theirs.integrated).toFixed(3)} LU`);
      assert.ok(diff <= 0.1, `${e.ext} ${channels} ch: ours ${ours.result.integrated.toFixed(3)} vs ffmpeg ${theirs.integrated.toFixed(3)} LUFS`);
      assert.ok(Math.abs(ours.info.durationSeconds - 4) < 0.1, `${e.ext} duration ${ours.info.durationSeconds}`);
      // The same bytes on standard input, under a misleading name: the content decides.
      const wrong = path.join(dir, `named-wrong-${channels}-${e.ext}.wav`);
      copyFileSync(f, wrong);
      near(await integratedOf(wrong), ours.result.integrated, 1e-9, `${e.ext} named .wav`);
      const piped = await measureFile('-', { stdin: Readable.from([readFileSync(f)]) });
      near(piped.result.integrated, ours.result.integrated, 1e-9, `${e.ext} through stdin`);
    }
  }
});

async function rejects(fn: () => Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, message);
    assert.is((e as Error).name, 'AudioError');
    return;
  }
  assert.unreachable(`expected an error matching ${message}`);
}

async function integratedOf(f: string): Promise<number> {
  return (await measureFile(f)).result.integrated;
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

test('a file decodes the same twice (files are rewindable: normalize reads them twice)', async () => {
  if (!hasFfmpeg) return;
  const src = writeWav(path.join(dir, 'twice.wav'), programmeSignal(2, 2, 48000, 0.5), 48000);
  for (const ext of ['mp3', 'flac', 'ogg', 'm4a']) {
    const f = path.join(dir, `twice.${ext}`);
    spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', src, f]);
    const r = await openAudio(f);
    const sums: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      let s = 0;
      for await (const planes of r.chunks(4800)) for (const p of planes) for (const v of p) s += v * v;
      sums.push(s);
    }
    await r.close();
    assert.ok(sums[0]! > 0 && sums[0] === sums[1], `${ext}: ${sums.join(' vs ')}`);
  }
});

test('detectFormat: magic bytes; unknown and damaged input get one clear line', async () => {
  assert.is(detectFormat(Buffer.from('fLaC\0\0\0\x22')), 'flac');
  assert.is(detectFormat(Buffer.from('ID3\x04\0\0\0\0\0\0')), 'mp3');
  assert.is(detectFormat(Buffer.from([0xff, 0xfb, 0x90, 0x64])), 'mp3');
  assert.is(detectFormat(Buffer.from([0xff, 0xf1, 0x50, 0x80])), 'aac');
  assert.is(detectFormat(Buffer.from('\0\0\0\x20ftypM4A ')), 'mp4');
  assert.is(detectFormat(Buffer.from('FORM\0\0\0\0AIFF')), 'aiff');
  assert.is(detectFormat(Buffer.from('hello world, this is text')), 'unknown');
  const text = path.join(dir, 'text.mp3');
  writeFileSync(text, 'This is not audio at all.\n');
  await rejects(() => openAudio(text), /^not an audio file we can read \(we read WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus, and M4A\/AAC through ffmpeg\)$/);
  // A FLAC header with nothing decodable after it.
  const broken = path.join(dir, 'broken.flac');
  writeFileSync(broken, Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(2000, 0x5a)]));
  await rejects(() => openAudio(broken), /no FLAC audio could be decoded/);
});

test('M4A without ffmpeg: a clear message saying ffmpeg is needed', async () => {
  if (!hasFfmpeg) return;
  const src = writeWav(path.join(dir, 'noff.wav'), programmeSignal(1, 1, 48000, 0.5), 48000);
  const f = path.join(dir, 'noff.m4a');
  spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', src, f]);
  await rejects(() => openAudio(f, { ffmpeg: path.join(dir, 'no-such-ffmpeg') }),
    /MP4\/M4A needs ffmpeg to decode, and ffmpeg was not found on the PATH: install ffmpeg, or convert the file to WAV or FLAC first/);
});

test.run();
