// Property-based fuzzing of the library meter (fast-check, fixed printed seeds; fuzz/settings.ts): arbitrary
// options, and streams of extreme audio in blocks of arbitrary length. Invariants: bad options throw a RangeError
// and nothing else; readings are never NaN or +Infinity (true peak: finite for every finite input), true peak is
// never below the sample peak, non-finite samples are counted exactly, maxima bound the current readings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { LoudnessMeter } from '../lib/index.ts';
import { referenceWindows } from '../dsp/tests/exact-windows.ts';
import { extremeBlock, fuzzParams } from './settings.ts';

const SR = 48000;

const RATES = [8000, 11025, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000, 384000];

test('options: any value for any option either builds a meter or throws a RangeError', () => {
  const anyValue = fc.oneof(fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
    fc.integer({ min: 0, max: 400000 }), fc.constantFrom('mono', 'stereo', '5.1', 'L', ['L', 'R'], ['C'], ['L', 'R', 'C', 'LFE', 'Ls', 'Rs']));
  fc.assert(fc.property(fc.record({ sampleRate: anyValue, channels: anyValue, layout: anyValue, truePeak: anyValue }, { requiredKeys: [] }), (options) => {
    try {
      const m = LoudnessMeter.createSync(options as any);
      assert.ok(m.channels >= 1 && m.channels <= 8);
    } catch (e) {
      if (!(e instanceof RangeError)) throw new Error(`not a RangeError: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    }
  }), fuzzParams('meter options', 300));
});

test('extreme audio: readings never NaN or +Infinity, true peak >= sample peak, non-finite samples counted', () => {
  const meters = new Map<string, LoudnessMeter>();
  const stream = fc.record({
    rate: fc.constantFrom(...RATES),
    channels: fc.integer({ min: 1, max: 8 }),
    truePeak: fc.boolean(),
    blocks: fc.array(fc.array(extremeBlock(700), { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
  });
  fc.assert(fc.property(stream, ({ rate, channels, truePeak, blocks }) => {
    const key = `${rate}/${channels}/${truePeak}`;
    let m = meters.get(key);
    if (m === undefined) meters.set(key, (m = LoudnessMeter.createSync({ sampleRate: rate, channels, truePeak })));
    m.reset();
    let bad = 0;
    for (const block of blocks) {
      const n = Math.min(...block.map((b) => b.length));
      const planar = block.slice(0, channels).map((b) => b.subarray(0, n));
      for (const ch of planar) for (const v of ch) if (!Number.isFinite(v)) bad++;
      m.push(planar);
      const r = m.result();
      for (const k of ['momentary', 'shortTerm', 'integrated', 'momentaryMax', 'shortTermMax', 'samplePeak'] as const) {
        assert.ok(!Number.isNaN(r[k]) && r[k] !== Infinity, `${k} = ${r[k]}`);
      }
      assert.ok(Number.isFinite(r.range) && r.range >= 0, `range ${r.range}`);
      if (truePeak) {
        assert.ok(!Number.isNaN(r.truePeak) && r.truePeak !== Infinity, `true peak ${r.truePeak}`);
        r.channelTruePeak.forEach((tp, c) => assert.ok(tp >= r.channelSamplePeak[c]!, `channel ${c}: true peak ${tp} < sample peak ${r.channelSamplePeak[c]}`));
      } else {
        assert.ok(Number.isNaN(r.truePeak));
      }
      assert.ok(!(r.momentary > r.momentaryMax), `momentary ${r.momentary} > max ${r.momentaryMax}`);
      assert.ok(!(r.shortTerm > r.shortTermMax), `short-term ${r.shortTerm} > max ${r.shortTermMax}`);
    }
    assert.is(m.result().nonFinite, bad);
  }), fuzzParams('meter extreme audio', 120));
});

test('cancellation: through and after a burst of any level, momentary and short-term equal the exact windows', () => {
  // A burst of any level (up to the float maximum) and length, then a steady tone of any level and frequency:
  // at every hop, momentary and short-term must be those of exact sums over the window (dsp/tests/exact-windows),
  // within 0.01 LU (where the exact value is above -200 LUFS: below that the meter's filter-state floor, 1e-30,
  // is allowed to differ).
  const m = LoudnessMeter.createSync({ sampleRate: SR, channels: 1 });
  const hop = m.hopFrames;
  const arb = fc.record({
    burstLevel: fc.double({ min: 1, max: 3.4e38, noNaN: true }),
    burstFrames: fc.integer({ min: 1, max: 48000 }),
    quietDb: fc.double({ min: -60, max: 0, noNaN: true }),
    freq: fc.double({ min: 50, max: 15000, noNaN: true }),
  });
  fc.assert(fc.property(arb, ({ burstLevel, burstFrames, quietDb, freq }) => {
    m.reset();
    const amp = 10 ** (quietDb / 20);
    const n = Math.ceil((burstFrames + SR * 1.5) / hop) * hop;
    const x = new Float32Array(n).map((_, i) => (i < burstFrames ? (i & 1 ? burstLevel : -burstLevel) : amp * Math.sin((2 * Math.PI * freq * i) / SR)));
    const momentary = referenceWindows(x, SR, hop, Math.round((0.4 * SR) / hop));
    const shortTerm = referenceWindows(x, SR, hop, Math.round((3 * SR) / hop));
    for (let h = 0; h < n / hop; h++) {
      m.push([x.subarray(h * hop, (h + 1) * hop)]);
      const r = m.result();
      if (momentary[h]! > -200) assert.ok(Math.abs(r.momentary - momentary[h]!) <= 0.01, `hop ${h}: momentary ${r.momentary}, exact ${momentary[h]}`);
      if (shortTerm[h]! > -200) assert.ok(Math.abs(r.shortTerm - shortTerm[h]!) <= 0.01, `hop ${h}: short-term ${r.shortTerm}, exact ${shortTerm[h]}`);
    }
  }), fuzzParams('meter burst cancellation', 30));
});

test.run();
