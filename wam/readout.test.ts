import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { R, READOUT_COUNT, S } from './engine-abi.ts';
import { READOUT_FRAME, READOUT_LINK, READOUT_MESSAGE_LENGTH, READOUT_MODE, READOUT_PARAMETERS, decodeReadout, decodeStatus } from './readout.ts';
import { PARAMETER_IDS } from './parameters.ts';

test('decodes every slot into the friendly object', () => {
  const d = new Float64Array(READOUT_MESSAGE_LENGTH);
  for (let i = 0; i < READOUT_COUNT; i++) d[i] = 100 + i;
  d[R.refM] = -Infinity;
  d[R.status] = S.linked | S.gated | S.tracking;
  d[READOUT_LINK] = 5;
  d[READOUT_MODE] = 2;
  d[READOUT_FRAME] = 48000 * 3600;
  for (let i = 0; i < PARAMETER_IDS.length; i++) d[READOUT_PARAMETERS + i] = i * 0.5;
  const r = decodeReadout(d);
  assert.equal(r.reference, { momentary: -Infinity, shortTerm: 101, integrated: 102, momentaryMax: 116, shortTermMax: 117, range: 122, rms: 127 });
  assert.equal(r.input, { momentary: 103, shortTerm: 104, integrated: 105, momentaryMax: 120, shortTermMax: 121, range: 123, rms: 126, truePeak: 111 });
  assert.equal({ ...r.output, rms: 0 }, { momentary: 106, shortTerm: 107, integrated: 108, momentaryMax: 118, shortTermMax: 119, range: 124, rms: 0, truePeak: 112 });
  assert.ok(Number.isNaN(r.output.rms), 'the engine does not measure the output rms');
  assert.equal(r.gain, { applied: 109, wanted: 110, engine: 125, unlimited: 128, ceilingReduction: 129 });
  assert.is(r.estimateSeconds, 130);
  assert.is(r.drift, 131);
  assert.is(r.learnSeconds, 115);
  assert.is(r.nonFinite, 114);
  assert.is(r.link, 5);
  assert.is(r.mode, 'sidechain');
  assert.is(r.frame, 48000 * 3600);
  assert.is(Object.keys(r.parameters).join(), PARAMETER_IDS.join(), 'every parameter, in slot order');
  assert.is(r.parameters.mode, 0);
  assert.is(r.parameters.tolerance, 2.5);
  assert.is(r.parameters.bypass, 7.5);
  assert.is(r.statusBits, S.linked | S.gated | S.tracking);
  assert.equal(Object.entries(r.status).filter(([, v]) => v).map(([k]) => k), ['linked', 'gated', 'tracking']);
  assert.equal(r.latency, { detectedFrames: 132, confidence: 133, appliedFrames: 134, source: 'manual' }, 'an unknown source reads manual');
  d[R.latencySource] = 1;
  d[R.latencyDetected] = NaN;
  assert.equal({ ...decodeReadout(d).latency, detectedFrames: 0 }, { detectedFrames: 0, confidence: 133, appliedFrames: 134, source: 'detected' });
  d[R.latencySource] = 2;
  assert.is(decodeReadout(d).latency.source, 'restored');
  d[R.latencySource] = 3;
  assert.is(decodeReadout(d).latency.source, 'none');
});

test('status bits map one to one', () => {
  const names = Object.keys(decodeStatus(0));
  assert.is(names.length, 16);
  const all = decodeStatus(0xfffff);
  assert.ok(Object.values(all).every(Boolean));
  assert.ok(Object.values(decodeStatus(0)).every((v) => !v));
  assert.equal(decodeStatus(S.duplicateReference | S.referenceLost | S.held), {
    ...decodeStatus(0), duplicateReference: true, referenceLost: true, held: true,
  });
});

test('short arrays are rejected', () => {
  assert.throws(() => decodeReadout(new Float64Array(READOUT_COUNT)), /a readout has 58 values, got 36/);
});

test.run();
