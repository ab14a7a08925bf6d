// Property-based fuzzing of the WAV reader and `measure` (fast-check, fixed printed seeds; fuzz/settings.ts):
// generated headers of every kind (RIFF / RF64 / BW64 / junk ids, fmt chunks with any tag, channel count, rate,
// depth and block align, ds64 with any sizes, data with any declared size, extra chunks of odd sizes, truncation),
// read as a file and as a stream split at random points. Invariants: only WavError is ever thrown (by the reader
// and by measureFile, which the CLI uses); decoded PCM lies in [-1, 1); a file and the same bytes as a stream
// decode the same audio whenever both succeed; well-formed files decode to exactly what was encoded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openWav, openWavStream, WavError, type WavReader } from '../lib/wav/reader.ts';
import { measureFile } from '../lib/cli/measure-file.ts';
import { encodeChunk, encodeFrames, fmtChunk, makeWav, type Chunk, type WavSpec } from '../lib/wav/write-test-wav.ts';
import { fuzzParams } from './settings.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-fuzz-wav-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'case.wav');

const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 15, 16, 17, 18, 40, 0x7fff0000, 0x7fffeffc, 0xfffffffe, 0xffffffff), fc.nat({ max: 0xffffffff }));
/** Mostly valid, sometimes anything: most cases reach the decoder, the rest every error path. */
const mostly = <T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<T>) =>
  fc.tuple(fc.integer({ min: 0, max: 7 }), valid, any).map(([dice, v, x]) => (dice === 0 ? x : v));
/** Absent (null) most of the time. */
const rarely = <T>(x: fc.Arbitrary<T>, oneIn: number) => fc.tuple(fc.integer({ min: 1, max: oneIn }), x).map(([d, v]) => (d === 1 ? v : null));
const fmtArb: fc.Arbitrary<Chunk> = fc.record({
  format: mostly<number[]>(fc.constantFrom<number[]>([1, 1, 8], [1, 1, 16], [1, 1, 24], [1, 1, 32], [3, 3, 32], [3, 3, 64], [0xfffe, 1, 16], [0xfffe, 3, 32], [0xfffe, 1, 24]),
    fc.tuple(fc.oneof(fc.constantFrom(1, 3, 0xfffe, 2, 6, 7, 0x55), fc.nat({ max: 0xffff })), fc.constantFrom(1, 3, 2), fc.oneof(fc.constantFrom(8, 16, 24, 32, 64), fc.nat({ max: 0xffff }))).map((t) => [...t])),
  channels: mostly(fc.integer({ min: 1, max: 8 }), fc.nat({ max: 0xffff })),
  sampleRate: mostly(fc.constantFrom(8000, 44100, 48000, 96000, 384000), fc.oneof(fc.constantFrom(7999, 384001, 0), fc.nat({ max: 0xffffffff }))),
  alignDelta: mostly(fc.constant(0), fc.integer({ min: -4, max: 4 })),
  mask: fc.nat({ max: 0xffffffff }),
  truncateTo: rarely(fc.nat({ max: 40 }), 10),
  declared: rarely(u32, 10),
}).map((f) => {
  const [tag, subTag, rawBits] = f.format;
  const bits = rawBits! & 0xffff;
  const channels = f.channels & 0xffff;
  const align = Math.max(0, ((channels * bits) / 8 + f.alignDelta) & 0xffff);
  const c = fmtChunk(tag === 0xfffe
    ? { tag: 0xfffe, subTag: subTag!, mask: f.mask, channels, sampleRate: f.sampleRate, bits, blockAlign: align }
    : { tag: tag!, channels, sampleRate: f.sampleRate, bits, blockAlign: align });
  const body = f.truncateTo === null ? c.body : c.body.subarray(0, f.truncateTo);
  return f.declared === null ? { id: 'fmt ', body } : { id: 'fmt ', body, declaredSize: f.declared };
});
const dataArb: fc.Arbitrary<Chunk> = fc.record({
  body: fc.uint8Array({ maxLength: 3000, size: 'max' }),
  declared: rarely(fc.oneof(u32, fc.integer({ min: 0, max: 3100 })), 4),
}).map((d) => (d.declared === null ? { id: 'data', body: d.body } : { id: 'data', body: d.body, declaredSize: d.declared }));
const ds64Arb: fc.Arbitrary<Chunk> = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.oneof(fc.bigInt({ min: 0n, max: 4000n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), fc.nat({ max: 30 }))
  .map(([riffSize, dataSize, len]) => {
    const b = Buffer.alloc(28);
    b.writeBigUInt64LE(riffSize, 0);
    b.writeBigUInt64LE(dataSize, 8);
    return { id: 'ds64', body: b.subarray(0, Math.min(28, len < 28 ? len : 28)) };
  });
const junkArb: fc.Arbitrary<Chunk> = fc.record({
  id: fc.constantFrom('LIST', 'JUNK', 'bext', 'fact', 'cue ', 'x\u0000\u00ff ', 'FMT ', 'DATA'),
  body: fc.uint8Array({ maxLength: 41 }),
  declared: rarely(u32, 8),
}).map((j) => (j.declared === null ? { id: j.id, body: j.body } : { id: j.id, body: j.body, declaredSize: j.declared }));

/** Any header: a container id, a chunk list where fmt, ds64 and data may repeat, be missing or come in any order. */
const wavBytes: fc.Arbitrary<Buffer> = fc.record({
  id: mostly(fc.constantFrom('RIFF', 'RIFF', 'RF64', 'BW64'), fc.constantFrom('RIFX', 'RIF', 'riff')),
  form: mostly(fc.constant('WAVE'), fc.constant('AVI ')),
  riffSize: rarely(u32, 3),
  chunks: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fmtArb, dataArb) },
    { weight: 1, arbitrary: fc.tuple(ds64Arb, fmtArb, dataArb) },
    { weight: 2, arbitrary: fc.tuple(junkArb, fmtArb, junkArb, dataArb, junkArb) },
    { weight: 1, arbitrary: fc.tuple(fmtArb, fmtArb, dataArb) },
    { weight: 1, arbitrary: fc.tuple(dataArb, fmtArb) },
    { weight: 2, arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: fmtArb }, { weight: 3, arbitrary: dataArb }, { weight: 1, arbitrary: ds64Arb }, { weight: 2, arbitrary: junkArb }), { maxLength: 6 }) },
  ) as fc.Arbitrary<Chunk[]>,
  cut: rarely(fc.nat({ max: 4000 }), 5),
}).map((w) => {
  const body = Buffer.concat([Buffer.from(w.form, 'latin1'), ...w.chunks.map(encodeChunk)]);
  const head = Buffer.alloc(8);
  head.write(w.id.padEnd(4, '\u0000'), 0, 'latin1');
  head.writeUInt32LE(w.riffSize ?? body.length, 4);
  const all = Buffer.concat([head.subarray(0, Math.max(3, w.id.length) === 3 ? 3 : 8), ...(w.id.length === 3 ? [] : [body])]);
  return w.cut === null ? all : all.subarray(0, w.cut);
});

/** Decodes everything; returns a fingerprint (frames and a checksum of the samples) or the error. */
async function decodeAll(open: () => Promise<WavReader>): Promise<{ frames: number; sum: number; pcm: boolean; channels: number } | { error: unknown }> {
  let r: WavReader;
  try {
    r = await open();
  } catch (error) {
    return { error };
  }
  try {
    let frames = 0;
    let sum = 0;
    for await (const planes of r.chunks(701)) {
      for (const p of planes) {
        for (let i = 0; i < p.length; i++) {
          const v = p[i]!;
          if (r.info.format === 'pcm') assert.ok(v >= -1 && v < 1, `PCM sample ${v}`);
          sum += Number.isFinite(v) ? v * (i + 1) : 7;
        }
      }
      frames += planes[0]!.length;
    }
    if (r.info.lengthKnown) assert.is(frames, r.info.frames, 'frames decoded = frames announced');
    return { frames, sum, pcm: r.info.format === 'pcm', channels: r.info.channels };
  } catch (error) {
    return { error };
  } finally {
    await r.close();
  }
}

function onlyWavError(x: { error: unknown } | object, what: string): void {
  if ('error' in x && !(x.error instanceof WavError)) {
    const e = x.error;
    throw new Error(`${what}: not a WavError: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
}

test('any header, as a file and as a split stream: WavError or consistent audio, never another error', async () => {
  const tally = { cases: 0, decoded: 0, frames: 0 };
  await fc.assert(fc.asyncProperty(wavBytes, fc.array(fc.nat({ max: 5000 }), { maxLength: 4 }), async (bytes, cuts) => {
    writeFileSync(file, bytes);
    const asFile = await decodeAll(() => openWav(file));
    onlyWavError(asFile, 'file');
    tally.cases++;
    if (!('error' in asFile)) {
      tally.decoded++;
      tally.frames += asFile.frames;
    }
    const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
    const pieces = [0, ...points, bytes.length].slice(1).map((end, i, all) => bytes.subarray(i === 0 ? 0 : all[i - 1]!, end));
    const asStream = await decodeAll(() => openWavStream(Readable.from(pieces)));
    onlyWavError(asStream, 'stream');
    if (!('error' in asFile) && !('error' in asStream)) {
      assert.is(asStream.frames, asFile.frames, 'the same frames as a file and as a stream');
      assert.is(asStream.sum, asFile.sum, 'the same samples as a file and as a stream');
    }
    // measure (what the CLI runs per FILE): also only WavErrors.
    try {
      await measureFile(file);
    } catch (e) {
      onlyWavError({ error: e }, 'measureFile');
    }
  }), fuzzParams('wav headers', 400));
  console.log(`  ${tally.decoded} of ${tally.cases} generated files decoded (${tally.frames} frames), the rest rejected with a WavError`);
  assert.ok(tally.decoded >= tally.cases / 20, 'the generator must reach the decoder, not only the error paths');
});

test('well-formed files of any supported format decode to exactly what was encoded', async () => {
  const spec = fc.record({
    sampleRate: fc.integer({ min: 8000, max: 384000 }),
    kind: fc.constantFrom('pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'),
    channels: fc.integer({ min: 1, max: 8 }),
    frames: fc.integer({ min: 0, max: 600 }),
    container: fc.constantFrom('riff', 'rf64', 'unknown'),
    extensible: fc.boolean(),
    odd: fc.boolean(),
  });
  await fc.assert(fc.asyncProperty(spec, fc.float({ min: -1, max: 1, noNaN: true }), async (s, level) => {
    const format = s.kind.startsWith('pcm') ? 'pcm' : 'float';
    const bits = Number(s.kind.replace(/\D/g, ''));
    const w: WavSpec = { sampleRate: s.sampleRate, format, bits, rf64: s.container === 'rf64', unknownLength: s.container === 'unknown', ...(s.extensible ? { mask: 0 } : {}),
      ...(s.odd ? { extraChunks: [{ id: 'LIST', body: new Uint8Array(3) }] } : {}) };
    const planar = Array.from({ length: s.channels }, (_, c) => Float64Array.from({ length: s.frames }, (_, i) => level * Math.sin(i * 0.37 + c)));
    const bytes = makeWav(w, planar);
    // A writer that does not know the length does not pad the data chunk either: read to the end, a pad byte
    // would be audio.
    const dataBytes = s.frames * s.channels * (bits / 8);
    writeFileSync(file, s.container === 'unknown' && dataBytes & 1 ? bytes.subarray(0, bytes.length - 1) : bytes);
    const r = await openWav(file);
    const expected = Buffer.from(encodeFrames(w, planar));
    let frame = 0;
    try {
      for await (const planes of r.chunks(257)) {
        for (let i = 0; i < planes[0]!.length; i++, frame++) {
          for (let c = 0; c < s.channels; c++) {
            const v = planes[c]![i]!;
            const at = (frame * s.channels + c) * (bits / 8);
            const want = format === 'float' ? (bits === 32 ? expected.readFloatLE(at) : Math.fround(expected.readDoubleLE(at)))
              : bits === 8 ? (expected.readUInt8(at) - 128) / 128 : Math.fround(expected.readIntLE(at, bits / 8) / 2 ** (bits - 1));
            assert.is(v, Math.fround(want), `frame ${frame} channel ${c}`);
          }
        }
      }
    } finally {
      await r.close();
    }
    assert.is(frame, s.frames);
  }), fuzzParams('wav well-formed', 150));
});

test.run();
