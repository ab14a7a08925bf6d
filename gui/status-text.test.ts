import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S, R, READOUT_COUNT } from '../wam/engine-abi.ts';
import { decodeReadout, READOUT_LINK, READOUT_MESSAGE_LENGTH, READOUT_MODE, READOUT_PARAMETERS } from '../wam/readout.ts';
import { defaultParameterValues, parameterIndex } from '../wam/parameters.ts';
import { statusLine } from './status-text.ts';

/** A readout array as the processor sends it: defaults, with the given status bits, mode and overrides. */
function readout(bits: number, mode: number, extra: { link?: number; params?: Record<string, number>; slots?: Partial<Record<number, number>> } = {}) {
  const d = new Float64Array(READOUT_MESSAGE_LENGTH);
  d.fill(-Infinity, 0, READOUT_COUNT);
  d[R.status] = bits;
  d[READOUT_MODE] = mode;
  d[READOUT_LINK] = extra.link ?? 1;
  const values = defaultParameterValues();
  values[parameterIndex('mode')] = mode;
  for (const [id, v] of Object.entries(extra.params ?? {})) values[parameterIndex(id)] = v;
  d.set(values, READOUT_PARAMETERS);
  for (const [slot, v] of Object.entries(extra.slots ?? {})) d[Number(slot)] = v as number;
  return decodeReadout(d);
}
const MATCH = 1;

test('matching, with the link channel named', () => {
  const s = statusLine(readout(S.linked | S.tracking, MATCH, { link: 2 }));
  assert.is(s.text, 'Matching reference on link 2');
  assert.is(s.tone, 'ok');
});

test('no reference / reference lost name the link and the held gain', () => {
  assert.is(statusLine(readout(S.noReference, MATCH, { link: 2 })).text, 'No reference on link 2');
  const lost = statusLine(readout(S.noReference | S.referenceLost, MATCH, { link: 3, slots: { [R.engineGain]: 3.24 } }));
  assert.is(lost.text, 'Reference on link 3 lost: holding +3.2 dB');
  assert.is(lost.tone, 'error');
  assert.is(statusLine(readout(S.noReference, 2)).text, 'No sidechain signal');
});

test('holding shows the held gain with its sign', () => {
  assert.is(statusLine(readout(S.linked | S.held, MATCH, { slots: { [R.engineGain]: 3.2 } })).text, 'Holding +3.2 dB');
  assert.is(statusLine(readout(S.linked | S.held, MATCH, { slots: { [R.engineGain]: -0.04 } })).text, 'Holding 0.0 dB');
});

test('learning counts whole seconds', () => {
  assert.is(statusLine(readout(S.linked | S.learning, MATCH, { slots: { [R.learnSeconds]: 12.7 } })).text, 'Learning 12 s');
});

test('gated names the side below the gate, by how many dB, the gate value and the gain it holds', () => {
  const inputQuiet = readout(S.linked | S.gated, MATCH, { slots: { [R.inM]: -62, [R.engineGain]: 3.24 } });
  assert.is(statusLine(inputQuiet).text, 'Gated: input 12.0 dB below \u221250 LUFS, holding +3.2 dB');
  const refQuiet = readout(S.linked | S.gated, MATCH, { params: { gate: -40 }, slots: { [R.inM]: -20, [R.refM]: -70, [R.engineGain]: -1 } });
  assert.is(statusLine(refQuiet).text, 'Gated: reference 30.0 dB below \u221240 LUFS, holding \u22121.0 dB');
  const silent = readout(S.linked | S.gated, MATCH, { slots: { [R.engineGain]: 0 } });
  assert.is(statusLine(silent).text, 'Gated: input silent (below \u221250 LUFS), holding 0.0 dB');
  // The first estimate's accumulated level can be under the gate while the momentary reading is over it.
  const accumulated = readout(S.gated, 3, { slots: { [R.inM]: -49, [R.engineGain]: 2 } });
  assert.is(statusLine(accumulated).text, 'Gated: input below \u221250 LUFS, holding +2.0 dB');
  assert.is(statusLine(readout(S.linked | S.gated, MATCH)).tone, 'warn');
});

test('limits are added as notes; the ceiling and the range', () => {
  const s = statusLine(readout(S.linked | S.atCeiling, MATCH, { link: 2 }));
  assert.is(s.text, 'Matching reference on link 2 \u00b7 At ceiling');
  assert.is(s.tone, 'warn');
  const boost = statusLine(readout(S.atRangeLimit, 3, { params: { target: -14 }, slots: { [R.gainWanted]: 12 } }));
  assert.is(boost.text, 'Trimming to \u221214.0 LUFS \u00b7 At max boost +12.0 dB');
  const cut = statusLine(readout(S.atRangeLimit, 3, { params: { maxCut: 6 }, slots: { [R.gainWanted]: -6 } }));
  assert.is(cut.notes[0], 'At max cut \u22126.0 dB');
});

test('the notes say by how many dB the ceiling and the range hold the gain; a lock is named', () => {
  const ceil = statusLine(readout(S.atCeiling, 3, { slots: { [R.ceilingReduction]: 3.24, [R.gainUnlimited]: 5, [R.gainWanted]: 5 } }));
  assert.is(ceil.notes[0], 'Ceiling holds \u22123.2 dB');
  const boost = statusLine(readout(S.atRangeLimit, 3, { slots: { [R.gainWanted]: 12, [R.gainUnlimited]: 15.4 } }));
  assert.is(boost.notes[0], 'At max boost +12.0 dB (\u22123.4 dB short)');
  assert.is(statusLine(readout(S.linked | S.held | S.locked, MATCH, { slots: { [R.engineGain]: -2.5 } })).text, 'Locked at \u22122.5 dB');
});

test('reference mode, duplicates, bypass and listening', () => {
  assert.is(statusLine(readout(S.linked, 0, { link: 4 })).text, 'Reference on link 4');
  assert.is(statusLine(readout(S.duplicateReference, 0, { link: 4 })).tone, 'error');
  assert.is(statusLine(readout(S.bypassed | S.linked | S.atCeiling, MATCH)).text, 'Bypassed', 'limits do not matter while bypassed');
  assert.is(statusLine(readout(S.linked | S.listeningReference, MATCH)).text, 'Listening: the reference');
  assert.is(statusLine(readout(S.linked | S.listeningDelta, MATCH)).text, 'Listening: the difference (output minus the aligned reference)');
});

test('bad input samples are reported whatever the mode', () => {
  const s = statusLine(readout(S.linked | S.nonFiniteInput, MATCH));
  assert.match(s.text, /^Matching reference on link 1 · Bad samples \(NaN\/Inf\)/);
});

test('track mode: no track, matching the track at its loudness, gated on the input', () => {
  const none = statusLine(readout(S.noReference, 4));
  assert.is(none.text, 'No reference track: pick or drop one');
  assert.is(none.tone, 'error');
  assert.is(statusLine(readout(S.tracking, 4, { slots: { [R.refI]: -9.25 } })).text, 'Matching the track at \u22129.3 LUFS');
  assert.is(statusLine(readout(S.gated, 4, { slots: { [R.inM]: -55, [R.engineGain]: 1.5 } })).text, 'Gated: input 5.0 dB below \u221250 LUFS, holding +1.5 dB');
});

test.run();
