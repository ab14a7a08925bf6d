import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { latencyLine } from './latency-text.ts';

test('applied latency in ms, how it was found and how sure', () => {
  const d = latencyLine({ detectedFrames: 1791, confidence: 0.934, appliedFrames: 1791, source: 'detected' }, 48000, 1);
  assert.equal([d.value, d.how], ['37.3 ms', 'detected, 93 % sure']);
  assert.match(d.title, /1791 frames, measured from the programme/);
  const m = latencyLine({ detectedFrames: NaN, confidence: NaN, appliedFrames: 480, source: 'manual' }, 48000, 0);
  assert.equal([m.value, m.how], ['10.0 ms', 'manual']);
  const r = latencyLine({ detectedFrames: NaN, confidence: 0.1, appliedFrames: 64, source: 'restored' }, 48000, 1);
  assert.equal([r.value, r.how], ['1.33 ms', 'from the saved state']);
  const n = latencyLine({ detectedFrames: 5000, confidence: 0.12, appliedFrames: 0, source: 'none' }, 44100, 1);
  assert.equal([n.value, n.how], ['0 ms', 'measuring… 12 % sure']);
  assert.is(latencyLine({ detectedFrames: NaN, confidence: NaN, appliedFrames: 96, source: 'detected' }, 0, 1).value, '96 fr');
});

test.run();
