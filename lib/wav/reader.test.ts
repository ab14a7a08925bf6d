import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import wavefile from 'wavefile'; // CommonJS: its classes are on the default export
import { openWav, openWavStream, WavError, type WavInfo, type WavReader } from './reader.ts';
import { encodeChunk, fmtChunk, makeWav, riff, type WavSpec } from './write-test-wav.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-reader-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function save(bytes: Uint8Array, name = `f${n++}.wav`): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Reads a whole file into one array per channel (copied, since the reader reuses its arrays). */
async function decode(file: string, framesPerChunk?: number): Promise<{ info: WavInfo; planes: number[][]; sizes: number[] }> {
  return readAll(await openWav(file), framesPerChunk);
}

/** Everything a reader decodes, with its info as it stands after the last chunk. */
async function readAll(r: WavReader, framesPerChunk?: number): Promise<{ info: WavInfo; planes: number[][]; sizes: number[] }> {
  try {
    const planes: number[][] = Array.from({ length: r.info.channels }, () => []);
    const sizes: number[] = [];
    for await (const chunk of r.chunks(framesPerChunk)) {
      sizes.push(chunk[0]!.length);
      chunk.forEach((p, c) => planes[c]!.push(...p));
    }
    return { info: r.info, planes, sizes };
  } finally {
    await r.close();
  }
}

/** A file holding exactly `data` as its audio bytes. */
function rawWav(tag: number, channels: number, bits: number, data: number[] | Buffer, sampleRate = 48000): string {
  return save(riff([fmtChunk({ tag, channels, sampleRate, bits }), { id: 'data', body: Buffer.from(data) }]));
}

async function expectWavError(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  const file = save(bytes);
  try {
    await openWav(file);
  } catch (e) {
    assert.instance(e, WavError);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a WavError matching ${pattern}`);
}

// ---- decoding exactness, from hand-written bytes (independent of the test writer's encoder) ----

test('8-bit PCM is unsigned with 128 as zero', async () => {
  const { info, planes } = await decode(rawWav(1, 1, 8, [0x00, 0x80, 0xff, 0x40, 0x81]));
  assert.equal(info.format, 'pcm');
  assert.equal(info.bitsPerSample, 8);
  assert.equal(planes[0], [-1, 0, 127 / 128, -0.5, 1 / 128]);
});

test('16-bit PCM: little-endian signed, divided by 2^15', async () => {
  const data = Buffer.alloc(12);
  [-32768, 0, 32767, 1, -1, 16384].forEach((v, i) => data.writeInt16LE(v, i * 2));
  const { planes } = await decode(rawWav(1, 1, 16, data));
  assert.equal(planes[0], [-1, 0, 32767 / 32768, 1 / 32768, -1 / 32768, 0.5]);
});

test('24-bit PCM: three bytes, sign-extended, divided by 2^23', async () => {
  const bytes = [0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40, 0x56, 0x34, 0x12];
  const { planes } = await decode(rawWav(1, 1, 24, bytes));
  assert.equal(planes[0], [-1, 8388607 / 8388608, 1 / 8388608, -1 / 8388608, 0.5, 0x123456 / 8388608]);
});

test('32-bit PCM: divided by 2^31, rounded to float32', async () => {
  const values = [-2147483648, 2147483647, 256, -256, 1 << 30, 123456789];
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeInt32LE(v, i * 4));
  const { planes } = await decode(rawWav(1, 1, 32, data));
  assert.equal(planes[0], values.map((v) => Math.fround(v / 2147483648)));
  assert.is(planes[0]![1], 1); // 2^31-1 rounds to 1.0 in float32
});

test('32-bit float passes values through, including over-range and non-finite', async () => {
  const values = [0.25, -1, 1.5, -0.125, NaN, Infinity];
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  const { info, planes } = await decode(rawWav(3, 1, 32, data));
  assert.equal(info.format, 'float');
  assert.equal(planes[0]!.slice(0, 4), [0.25, -1, 1.5, -0.125]);
  assert.ok(Number.isNaN(planes[0]![4]));
  assert.is(planes[0]![5], Infinity);
});

test('64-bit float is rounded to float32', async () => {
  const values = [0.1, -0.75, 1e-10, 2];
  const data = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => data.writeDoubleLE(v, i * 8));
  const { info, planes } = await decode(rawWav(3, 1, 64, data));
  assert.is(info.bitsPerSample, 64);
  assert.equal(planes[0], values.map(Math.fround));
});

// ---- layout of the audio: channels, chunking, sample rates ----

test('1 to 8 channels are de-interleaved in order, across chunk boundaries', async () => {
  for (let channels = 1; channels <= 8; channels++) {
    // Channel c, frame i holds ((i * 7 + c * 1000) % 65536 - 32768) / 32768: distinct per channel and frame.
    const value = (c: number, i: number) => (((i * 7 + c * 1000) % 65536) - 32768) / 32768;
    const frames = 1000;
    const planar = Array.from({ length: channels }, (_, c) => Array.from({ length: frames }, (_, i) => value(c, i)));
    const { info, planes, sizes } = await decode(save(makeWav({ sampleRate: 48000, format: 'pcm', bits: 16 }, planar)), 300);
    assert.is(info.channels, channels);
    assert.is(info.frames, frames);
    assert.equal(sizes, [300, 300, 300, 100]);
    assert.equal(planes, planar, `${channels} channels`);
  }
});

test('sample rates 8000 to 384000 Hz give the right duration', async () => {
  for (const rate of [8000, 44100, 96000, 192000, 384000]) {
    const frames = Math.round(rate * 0.25); // 250 ms
    const { info } = await decode(save(makeWav({ sampleRate: rate, format: 'pcm', bits: 24 }, [new Float64Array(frames)])));
    assert.is(info.sampleRate, rate);
    assert.is(info.frames, frames);
    assert.is(info.durationSeconds, frames / rate);
  }
});

test('chunks reuse the same arrays for every full chunk', async () => {
  const file = save(makeWav({ sampleRate: 8000, format: 'pcm', bits: 16 }, [new Float64Array(1000), new Float64Array(1000)]));
  const r = await openWav(file);
  const seen: Float32Array[] = [];
  for await (const chunk of r.chunks(256)) if (chunk[0]!.length === 256) seen.push(chunk[0]!);
  await r.close();
  assert.is(seen.length, 3);
  assert.ok(seen[0] === seen[1] && seen[1] === seen[2]);
});

test('a final partial frame is ignored', async () => {
  // 2 channels x 16 bits = 4 bytes a frame; 3 whole frames plus 3 stray bytes.
  const data = Buffer.alloc(15);
  data.writeInt16LE(16384, 8); // frame 2, left = 0.5
  const { info, planes } = await decode(rawWav(1, 2, 16, data));
  assert.is(info.frames, 3);
  assert.equal(planes[0], [0, 0, 0.5]);
});

// ---- container details ----

test('WAVE_FORMAT_EXTENSIBLE: channel mask and SubFormat tag (PCM and float)', async () => {
  const pcm = await decode(save(makeWav({ sampleRate: 48000, format: 'pcm', bits: 24, mask: 0x3f }, Array.from({ length: 6 }, (_, c) => [c / 8]))));
  assert.is(pcm.info.channelMask, 0x3f);
  assert.is(pcm.info.format, 'pcm');
  assert.equal(pcm.planes.map((p) => p[0]), [0, 1 / 8, 2 / 8, 3 / 8, 4 / 8, 5 / 8]);
  const flt = await decode(save(makeWav({ sampleRate: 48000, format: 'float', bits: 32, mask: 0x63f }, Array.from({ length: 8 }, (_, c) => [-c / 16]))));
  assert.is(flt.info.channelMask, 0x63f);
  assert.is(flt.info.format, 'float');
  assert.equal(flt.planes.map((p) => p[0]), [0, 1, 2, 3, 4, 5, 6, 7].map((c) => -c / 16));
});

test('plain PCM files have no channel mask', async () => {
  const { info } = await decode(save(makeWav({ sampleRate: 48000, format: 'pcm', bits: 16 }, [[0], [0]])));
  assert.is(info.channelMask, undefined);
  assert.is(info.container, 'RIFF');
});

test('agrees with an independent writer (wavefile) for 16/24/32-bit int, float 32/64, 6 channels', async () => {
  const cases: [string, number, number][] = [['16', 2, 2 ** 15], ['24', 2, 2 ** 23], ['32', 2, 2 ** 31], ['32f', 2, 1], ['64', 2, 1], ['24', 6, 2 ** 23]];
  for (const [depth, channels, scale] of cases) {
    const planar = Array.from({ length: channels }, (_, c) => Array.from({ length: 500 }, (_, i) => {
      const x = Math.sin(i * 0.01 + c) * 0.9;
      return scale === 1 ? x : Math.round(x * scale); // wavefile takes integers for int depths
    }));
    const wav = new wavefile.WaveFile();
    wav.fromScratch(channels, 44100, depth, planar);
    const { info, planes } = await decode(save(wav.toBuffer()), 128);
    assert.is(info.channels, channels);
    assert.is(info.sampleRate, 44100);
    // wavefile writes a 40-byte extensible-style fmt for 6 channels but keeps format tag 1 (PCM), so per the
    // spec its mask does not apply: we read it as plain PCM.
    if (channels === 6) assert.is(info.channelMask, undefined);
    assert.equal(planes, planar.map((p) => p.map((v) => Math.fround(v / scale))), `wavefile ${depth}-bit ${channels} ch`);
  }
});

test('RF64 with a ds64 chunk', async () => {
  const spec: WavSpec = { sampleRate: 48000, format: 'pcm', bits: 16, rf64: true };
  const { info, planes } = await decode(save(makeWav(spec, [[0.5, -0.5, 0.25], [0, 0.125, -1]])));
  assert.is(info.container, 'RF64');
  assert.is(info.frames, 3);
  assert.equal(planes, [[0.5, -0.5, 0.25], [0, 0.125, -1]]);
});

test('odd-sized chunks are padded, unknown chunks skipped, fmt may follow data', async () => {
  const list = { id: 'LIST', body: Buffer.from('INFOabc') }; // 7 bytes + 1 pad byte
  const odd = await decode(save(makeWav({ sampleRate: 8000, format: 'pcm', bits: 8, extraChunks: [list, list] }, [[0.5, -0.5, 0]])));
  assert.equal(odd.planes, [[0.5, -0.5, 0]]);
  const data = Buffer.alloc(4);
  data.writeInt16LE(-16384, 0);
  const fmtLast = Buffer.concat([
    Buffer.from('RIFF\0\0\0\0WAVE', 'latin1'),
    encodeChunk({ id: 'data', body: data }),
    encodeChunk(list),
    encodeChunk(fmtChunk({ tag: 1, channels: 1, sampleRate: 22050, bits: 16 })),
  ]);
  const late = await decode(save(fmtLast));
  assert.is(late.info.sampleRate, 22050);
  assert.equal(late.planes, [[-0.5, 0]]);
});

test('a data chunk with no samples gives zero frames and no chunks', async () => {
  const { info, sizes } = await decode(rawWav(1, 2, 16, []));
  assert.is(info.frames, 0);
  assert.is(info.durationSeconds, 0);
  assert.equal(sizes, []);
});

// ---- errors ----

const fmt16 = fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 });
const someData = { id: 'data', body: Buffer.alloc(400) };

test('errors: empty, not RIFF/WAVE, RIFX', async () => {
  await expectWavError(Buffer.alloc(0), /^empty file$/);
  await expectWavError(Buffer.from([0x13, 0x37, 0x00, 0xfe, 0x42, 0x99, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80]), /not a RIFF\/WAVE file/);
  await expectWavError(Buffer.from('hello, this is a text file\n'), /not a RIFF\/WAVE file/);
  await expectWavError(Buffer.from('RIFF'), /not a RIFF\/WAVE file/);
  await expectWavError(riff([fmt16, someData], 'RIFF', 'AVI '), /not a RIFF\/WAVE file/);
  await expectWavError(riff([fmt16, someData], 'RIFX'), /big-endian RIFX/);
});

test('errors: missing fmt or data chunk', async () => {
  await expectWavError(riff([someData]), /no fmt chunk/);
  await expectWavError(riff([fmt16]), /no data chunk/);
  await expectWavError(riff([fmt16, { id: 'LIST', body: Buffer.alloc(10) }]), /no data chunk/);
});

test('errors: truncated data says how many bytes were expected and present', async () => {
  const whole = riff([fmt16, { id: 'data', body: Buffer.alloc(4000) }]);
  await expectWavError(whole.subarray(0, whole.length - 1000), /truncated file: the data chunk declares 4000 bytes but only 3000 are present/);
});

test('a RIFF data size of 0xFFFFFFFF (a WAV streamed to a pipe) reads to the end of the file', async () => {
  const body = Buffer.alloc(9); // 2 whole 16-bit stereo frames and one stray byte
  body.writeInt16LE(16384, 0);
  body.writeInt16LE(-32768, 6);
  const file = path.join(dir, 'piped.wav');
  writeFileSync(file, riff([fmt16, { id: 'data', body, declaredSize: 0xffffffff }]));
  const reader = await openWav(file);
  try {
    assert.is(reader.info.frames, 2);
    const chunks: number[][][] = [];
    for await (const planes of reader.chunks()) chunks.push(planes.map((p) => [...p]));
    assert.equal(chunks, [[[0.5, 0], [0, -1]]]);
  } finally {
    await reader.close();
  }
});

test('errors: unsupported format tags are named', async () => {
  await expectWavError(riff([fmtChunk({ tag: 0x55, channels: 2, sampleRate: 44100, bits: 0, blockAlign: 1 }), someData]), /unsupported format tag 0x0055 \(MPEG Layer 3 \(MP3\)\)/);
  await expectWavError(riff([fmtChunk({ tag: 0x02, channels: 1, sampleRate: 44100, bits: 4, blockAlign: 256 }), someData]), /unsupported format tag 0x0002 \(Microsoft ADPCM\)/);
  await expectWavError(riff([fmtChunk({ tag: 0x1234, channels: 1, sampleRate: 44100, bits: 16 }), someData]), /unsupported format tag 0x1234/);
  await expectWavError(riff([fmtChunk({ tag: 0xfffe, subTag: 6, mask: 4, channels: 1, sampleRate: 8000, bits: 8 }), someData]), /unsupported format tag 0x0006 \(A-law\)/);
  const ambisonic = fmtChunk({ tag: 0xfffe, mask: 0, channels: 4, sampleRate: 48000, bits: 16 });
  (ambisonic.body as Buffer).write('\x21\x07\xd3\x11', 28, 'latin1'); // a different GUID, e.g. ambisonic B-format
  await expectWavError(riff([ambisonic, someData]), /unknown SubFormat GUID/);
});

test('errors: bit depth, block align, channel count, sample rate, short fmt', async () => {
  await expectWavError(riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 48000, bits: 12, blockAlign: 2 }), someData]), /unsupported bit depth: 12-bit PCM/);
  await expectWavError(riff([fmtChunk({ tag: 3, channels: 1, sampleRate: 48000, bits: 16 }), someData]), /unsupported bit depth: 16-bit float/);
  await expectWavError(riff([fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16, blockAlign: 3 }), someData]), /bad block align 3 \(2 channel\(s\) of 16 bits need 4\)/);
  await expectWavError(riff([fmtChunk({ tag: 1, channels: 9, sampleRate: 48000, bits: 16 }), someData]), /unsupported channel count 9 \(supported: 1 to 8\)/);
  await expectWavError(riff([fmtChunk({ tag: 1, channels: 0, sampleRate: 48000, bits: 16 }), someData]), /unsupported channel count 0/);
  await expectWavError(riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 4000, bits: 16 }), someData]), /unsupported sample rate 4000 Hz \(supported: 8000 to 384000 Hz\)/);
  await expectWavError(riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 400000, bits: 16 }), someData]), /unsupported sample rate 400000 Hz/);
  await expectWavError(riff([{ id: 'fmt ', body: Buffer.alloc(12) }, someData]), /fmt chunk too short/);
});

test('a missing file rejects with the fs error (ENOENT), not a WavError', async () => {
  try {
    await openWav(path.join(dir, 'does-not-exist.wav'));
    assert.unreachable('should throw');
  } catch (e) {
    assert.not.instance(e, WavError);
    assert.is((e as NodeJS.ErrnoException).code, 'ENOENT');
  }
});

// ---- streams (openWavStream): the same parser and decoder, read sequentially ----

/** `bytes` cut into consecutive pieces whose sizes cycle through `sizes`. */
function split(bytes: Uint8Array, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(Buffer.from(bytes.subarray(at, at + n)));
    at += n;
  }
  return out;
}

const streamOf = (bytes: Uint8Array, sizes: number[] = [bytes.length || 1]) => Readable.from(split(bytes, sizes));

async function decodeStream(bytes: Uint8Array, sizes?: number[], framesPerChunk?: number) {
  return readAll(await openWavStream(streamOf(bytes, sizes)), framesPerChunk);
}

async function expectStreamError(bytes: Uint8Array, pattern: RegExp, sizes?: number[]): Promise<void> {
  try {
    await decodeStream(bytes, sizes);
  } catch (e) {
    assert.instance(e, WavError);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a WavError matching ${pattern}`);
}

/** Deterministic noise in [-1, 1): every byte of every sample varies. */
function noise(channels: number, frames: number, seed = 1): number[][] {
  let x = seed;
  return Array.from({ length: channels }, () => Array.from({ length: frames }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 31 - 1;
  }));
}

const SPLITS = [[1], [3], [7], [1, 3, 7, 64, 2, 5], [4096]];

test('a stream decodes exactly like the file reader, split at awkward byte boundaries', async () => {
  const list = { id: 'LIST', body: Buffer.alloc(10001, 0x41) }; // odd: padded; skipped by reading it
  const cases: [string, WavSpec, number][] = [
    ['pcm8 mono', { sampleRate: 8000, format: 'pcm', bits: 8 }, 1],
    ['pcm16 stereo', { sampleRate: 48000, format: 'pcm', bits: 16 }, 2],
    ['pcm24 3 ch', { sampleRate: 44100, format: 'pcm', bits: 24 }, 3],
    ['pcm32 stereo', { sampleRate: 96000, format: 'pcm', bits: 32 }, 2],
    ['float32 stereo', { sampleRate: 48000, format: 'float', bits: 32 }, 2],
    ['float64 mono', { sampleRate: 48000, format: 'float', bits: 64 }, 1],
    ['extensible 5.1 pcm24', { sampleRate: 48000, format: 'pcm', bits: 24, mask: 0x3f }, 6],
    ['rf64 pcm16', { sampleRate: 48000, format: 'pcm', bits: 16, rf64: true }, 2],
    ['odd LIST chunks', { sampleRate: 48000, format: 'pcm', bits: 16, extraChunks: [list, list] }, 2],
    ['0xFFFFFFFF pcm24', { sampleRate: 48000, format: 'pcm', bits: 24, unknownLength: true }, 2],
    ['0xFFFFFFFF float32 with LIST', { sampleRate: 48000, format: 'float', bits: 32, unknownLength: true, extraChunks: [list] }, 2],
  ];
  for (const [name, spec, channels] of cases) {
    const planar = noise(channels, 333, channels * 7 + spec.bits);
    const bytes = makeWav(spec, planar);
    const fromFile = await decode(save(bytes), 100);
    assert.equal(fromFile.sizes, [100, 100, 100, 33], name);
    for (const sizes of SPLITS) {
      const fromStream = await decodeStream(bytes, sizes, 100);
      const what = `${name}, split ${sizes.join(',')}`;
      assert.equal(fromStream.planes, fromFile.planes, what);
      assert.equal(fromStream.sizes, fromFile.sizes, what);
      // Once read to the end, a stream of unknown length knows its length: the info matches the file's.
      assert.equal({ ...fromStream.info, lengthKnown: true }, fromFile.info, what);
      assert.is(fromStream.info.lengthKnown, !spec.unknownLength, what);
    }
  }
});

test('a stream decodes 8/16/24/32-bit PCM and float bytes exactly (hand-written), one byte at a time', async () => {
  const data = Buffer.alloc(12);
  [-32768, 0, 32767, 1, -1, 16384].forEach((v, i) => data.writeInt16LE(v, i * 2));
  const wav = riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 48000, bits: 16 }), { id: 'data', body: data }]);
  assert.equal((await decodeStream(wav, [1])).planes[0], [-1, 0, 32767 / 32768, 1 / 32768, -1 / 32768, 0.5]);
  const b24 = Buffer.from([0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x56, 0x34, 0x12]);
  const wav24 = riff([fmtChunk({ tag: 1, channels: 1, sampleRate: 48000, bits: 24 }), { id: 'data', body: b24, declaredSize: 0xffffffff }]);
  assert.equal((await decodeStream(wav24, [1])).planes[0], [-1, 8388607 / 8388608, 0x123456 / 8388608]);
});

test('a stream of unknown length: frames and duration count the audio read, a final partial frame is ignored', async () => {
  const body = Buffer.alloc(4 * 1000 + 2); // 1000 stereo 16-bit frames and 2 stray bytes (even: no pad byte)
  body.writeInt16LE(16384, 4 * 999);
  const wav = riff([fmtChunk({ tag: 1, channels: 2, sampleRate: 8000, bits: 16 }), { id: 'data', body, declaredSize: 0xffffffff }]);
  const r = await openWavStream(streamOf(wav, [7]));
  assert.is(r.info.lengthKnown, false);
  assert.is(r.info.frames, 0);
  const seen: number[] = [];
  let last = NaN;
  for await (const planes of r.chunks(256)) {
    seen.push(r.info.frames);
    last = planes[0]!.at(-1)!;
  }
  await r.close();
  assert.equal(seen, [256, 512, 768, 1000]);
  assert.is(last, 0.5);
  assert.is(r.info.frames, 1000);
  assert.is(r.info.durationSeconds, 1000 / 8000);
});

test('a stream reuses its arrays and can be decoded only once', async () => {
  const wav = makeWav({ sampleRate: 8000, format: 'pcm', bits: 16 }, [new Float64Array(1000)]);
  const r = await openWavStream(streamOf(wav, [3]));
  const seen = new Set<Float32Array>();
  for await (const chunk of r.chunks(256)) if (chunk[0]!.length === 256) seen.add(chunk[0]!);
  assert.is(seen.size, 1);
  try {
    for await (const _ of r.chunks()) assert.unreachable('decoded twice');
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, /only once/);
  }
  await r.close();
});

test('stream errors: fmt after data, truncated, empty, not WAV, missing chunks', async () => {
  const fmt = fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 });
  const data = { id: 'data', body: Buffer.alloc(4000) };
  await expectStreamError(riff([data, fmt]), /data chunk comes before the fmt chunk/, [5]);
  await expectStreamError(riff([data]), /data chunk comes before the fmt chunk/);
  await expectStreamError(riff([fmt]), /no data chunk/);
  await expectStreamError(riff([{ id: 'LIST', body: Buffer.alloc(33) }]), /no fmt chunk/);
  await expectStreamError(Buffer.alloc(0), /^empty stream$/);
  await expectStreamError(Buffer.from('This is not audio.\n'), /not a RIFF\/WAVE stream/, [3]);
  await expectStreamError(Buffer.from('RIFF'), /not a RIFF\/WAVE stream/);
  await expectStreamError(riff([fmt, data], 'RIFX'), /big-endian RIFX/);
  await expectStreamError(riff([fmtChunk({ tag: 0x55, channels: 2, sampleRate: 44100, bits: 0, blockAlign: 1 }), data]), /unsupported format tag 0x0055/);
  // A declared size the stream ends before reaching: an error, not a shorter measurement.
  const whole = riff([fmt, data]);
  await expectStreamError(whole.subarray(0, whole.length - 1000), /^truncated stream: the data chunk declares 4000 bytes but the stream ends after 3000 of them$/, [7]);
  await expectStreamError(whole.subarray(0, 30), /fmt chunk too short/);
  // The same stream with data size 0xFFFFFFFF simply ends there.
  const open = riff([fmt, { ...data, declaredSize: 0xffffffff }]);
  assert.is((await decodeStream(open.subarray(0, open.length - 1000), [7])).info.frames, 750);
  // So does sox's pipe placeholder, 0x7FFFEFFC; a file with that size is still truncated.
  const sox = riff([fmt, { ...data, declaredSize: 0x7fffeffc }]);
  const soxInfo = (await decodeStream(sox, [7])).info;
  assert.is(soxInfo.frames, 1000);
  assert.is(soxInfo.lengthKnown, false);
  await expectWavError(sox, /truncated file: the data chunk declares 2147479548 bytes/);
});

test('RF64 stream: the ds64 data size is used', async () => {
  const planar = noise(2, 50);
  const rf64 = makeWav({ sampleRate: 48000, format: 'pcm', bits: 16, rf64: true }, planar);
  const { info } = await decodeStream(rf64, [3]);
  assert.is(info.container, 'RF64');
  assert.is(info.frames, 50);
  assert.is(info.lengthKnown, true);
  await expectStreamError(rf64.subarray(0, rf64.length - 2), /truncated stream: the data chunk declares 200 bytes/, [3]);
});

test('a stream rejects text chunks; close() before the end destroys the Readable', async () => {
  try {
    await openWavStream(Readable.from(['RIFF....WAVE'], { objectMode: true }));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, TypeError);
    assert.match((e as Error).message, /expected a byte stream/);
  }
  const input = streamOf(makeWav({ sampleRate: 8000, format: 'pcm', bits: 16 }, [new Float64Array(100000)]), [65536]);
  const r = await openWavStream(input);
  await r.close();
  assert.ok(input.destroyed);
});

test.run();
