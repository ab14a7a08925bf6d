// Regression cases found by fuzzing (issue 11): true peak finite for every finite input, and momentary /
// short-term exact after an extreme burst has passed through the window (running-sum cancellation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoudnessMeter } from '../../lib/index.ts';
import { referenceWindows } from './exact-windows.ts';

const SR = 48000;
const F32_MAX = 3.4028234663852886e38;
const db = (x: number) => 20 * Math.log10(x);

test('true peak is finite for full-range float input: 2.5e38 and 3.4e38 (FLT_MAX) squares and DC', async () => {
  const m = await LoudnessMeter.create({ sampleRate: SR, channels: 2 });
  for (const peak of [2.5e38, F32_MAX]) {
    for (const shape of ['square', 'dc', 'alternating'] as const) {
      const x = new Float32Array(9600);
      for (let i = 0; i < x.length; i++) {
        const s = shape === 'dc' ? 1 : shape === 'alternating' ? (i & 1 ? 1 : -1) : i % 96 < 48 ? 1 : -1;
        x[i] = peak * s;
      }
      m.reset();
      m.push([x, x]);
      const r = m.result();
      const what = `${shape} at ${peak}`;
      assert.ok(Number.isFinite(r.truePeak), `${what}: true peak ${r.truePeak}`);
      assert.ok(Math.abs(r.samplePeak - db(Math.fround(peak))) < 1e-9, `${what}: sample peak ${r.samplePeak}`);
      assert.ok(r.truePeak >= r.samplePeak, `${what}: true peak ${r.truePeak} below the sample peak`);
      // The interpolator's overshoot on a step (the DC starts from silence) or a square is a few dB at most.
      assert.ok(r.truePeak <= r.samplePeak + 6, `${what}: true peak ${r.truePeak}`);
      for (const k of ['momentary', 'shortTerm', 'momentaryMax', 'truePeak', 'samplePeak'] as const) {
        assert.ok(Number.isFinite(r[k]), `${what}: ${k} ${r[k]}`);
      }
    }
  }
});

test('true peak of a band-limited signal is unchanged by the range handling (+-0.001 dB vs sample-rate theory)', async () => {
  // A 997 Hz sine at 0 dBFS: its true peak is 0 dBTP (within the 4x grid's under-read, < 0.001 dB here).
  for (const scale of [1, 1e-20, 1e30, 3e38]) {
    const m = await LoudnessMeter.create({ sampleRate: SR, channels: 1 });
    const x = new Float32Array(SR);
    for (let i = 0; i < x.length; i++) x[i] = scale * Math.sin((2 * Math.PI * 997 * i) / SR + 0.3);
    m.push([x]);
    const tp = m.result().truePeak - db(scale);
    assert.ok(Math.abs(tp) < 0.01, `scale ${scale}: true peak ${tp} dB relative`);
  }
});

test('momentary and short-term stay exact (0.01 LU) through and after 1 s of +-1e30, then a -23 dBFS sine', async () => {
  const m = await LoudnessMeter.create({ sampleRate: SR, channels: 1 });
  const hop = m.hopFrames;
  const n = SR * 6;
  const x = new Float32Array(n);
  for (let i = 0; i < SR; i++) x[i] = i & 1 ? 1e30 : -1e30;
  for (let i = SR; i < n; i++) x[i] = 0.0708 * Math.sin((2 * Math.PI * 1000 * i) / SR);
  const momentaryRef = referenceWindows(x, SR, hop, Math.round((0.4 * SR) / hop));
  const shortRef = referenceWindows(x, SR, hop, Math.round((3 * SR) / hop));
  let worstM = 0;
  let worstS = 0;
  for (let h = 0; h < momentaryRef.length; h++) {
    m.push([x.subarray(h * hop, (h + 1) * hop)]);
    const r = m.result();
    const dm = Math.abs(r.momentary - momentaryRef[h]);
    const ds = Math.abs(r.shortTerm - shortRef[h]);
    worstM = Math.max(worstM, dm);
    worstS = Math.max(worstS, ds);
    assert.ok(dm <= 0.01, `hop ${h} (${((h * hop) / SR).toFixed(3)} s): momentary ${r.momentary}, exact ${momentaryRef[h]}`);
    assert.ok(ds <= 0.01, `hop ${h} (${((h * hop) / SR).toFixed(3)} s): short-term ${r.shortTerm}, exact ${shortRef[h]}`);
  }
  // After the burst the sine alone: a -23 dBFS 1 kHz sine in one channel reads -26.0 LUFS (Tech 3341 case 1, mono).
  assert.ok(Math.abs(m.result().momentary + 26.0) < 0.1, `momentary ${m.result().momentary}`);
  console.log(`  worst deviation from the exact windows: momentary ${worstM.toExponential(1)} LU, short-term ${worstS.toExponential(1)} LU`);
});

test.run();
