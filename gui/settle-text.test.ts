import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S, R, READOUT_COUNT } from '../wam/engine-abi.ts';
import { decodeReadout, READOUT_LINK, READOUT_MESSAGE_LENGTH, READOUT_MODE, READOUT_PARAMETERS } from '../wam/readout.ts';
import { defaultParameterValues, parameterIndex } from '../wam/parameters.ts';
import { settleLine, formatDrift, SETTLED_SECONDS, SETTLED_DRIFT_DB } from './settle-text.ts';

/** A readout as the processor sends it: status bits, mode, estimateSeconds, drift, parameter overrides. */
function readout(bits: number, mode: number, seconds: number, drift: number, params: Record<string, number> = {}) {
  const d = new Float64Array(READOUT_MESSAGE_LENGTH);
  d.fill(-Infinity, 0, READOUT_COUNT);
  d[R.status] = bits;
  d[R.estimateSeconds] = seconds;
  d[R.drift] = drift;
  d[READOUT_MODE] = mode;
  d[READOUT_LINK] = 1;
  const values = defaultParameterValues();
  values[parameterIndex('mode')] = mode;
  for (const [id, v] of Object.entries(params)) values[parameterIndex(id)] = v;
  d.set(values, READOUT_PARAMETERS);
  return decodeReadout(d);
}
const MATCH = 1;
const TARGET = 3;

test('settling: the seconds learned and the drift, and how far towards settled', () => {
  const l = settleLine(readout(S.linked, MATCH, 3.7, 1.43));
  assert.is(l.state, 'settling');
  assert.is(l.text, 'Settling 3 s \u00b7 drift 1.4 dB');
  assert.equal([l.head, l.drift, l.lock], ['Settling 3 s', 'drift 1.4 dB', '']);
  // Time is 3.7 / 6 of the way, the drift 0.3 / 1.43: the smaller one.
  assert.ok(Math.abs(l.progress - SETTLED_DRIFT_DB / 1.43) < 1e-9, `progress ${l.progress}`);
  assert.match(l.title, /3 s of programme behind the gain estimate/);
  assert.match(l.title, /moved by 1\.4 dB over the last 3 s/);
});

test('settled from 6 s and 0.3 dB drift on, not before', () => {
  assert.is(settleLine(readout(S.linked, MATCH, 12.2, 0.12)).text, 'Settled 12 s \u00b7 drift 0.1 dB');
  assert.is(settleLine(readout(S.linked, MATCH, 12.2, 0.12)).progress, 1);
  assert.is(settleLine(readout(S.linked, MATCH, SETTLED_SECONDS, SETTLED_DRIFT_DB)).state, 'settled');
  assert.is(settleLine(readout(S.linked, MATCH, SETTLED_SECONDS - 0.01, 0)).state, 'settling', 'too few seconds');
  assert.is(settleLine(readout(S.linked, MATCH, 30, SETTLED_DRIFT_DB + 0.01)).state, 'settling', 'too much drift');
  assert.is(settleLine(readout(0, TARGET, 125, 0.04)).text, 'Settled 2 min 05 s \u00b7 drift 0.0 dB');
});

test('auto-lock: armed while settling, "Locked" once it holds the gain', () => {
  const armed = settleLine(readout(S.linked, MATCH, 4, 0.2, { autoLock: 1 }));
  assert.is(armed.text, 'Settling 4 s \u00b7 drift 0.2 dB \u00b7 Auto-lock on');
  assert.match(armed.title, /Auto-lock will hold the gain once settled/);
  const locked = settleLine(readout(S.linked | S.locked | S.held, MATCH, 14.9, 0.21, { autoLock: 1 }));
  assert.is(locked.state, 'locked');
  assert.is(locked.text, 'Locked 14 s \u00b7 drift 0.2 dB');
  assert.match(locked.title, /Auto-lock holds the gain/);
});

test('before the first drift slot, and nothing to say for a reference or when bypassed', () => {
  const fresh = settleLine(readout(S.linked, MATCH, 0.04, NaN));
  assert.is(fresh.text, 'Settling 0 s \u00b7 drift \u2014');
  assert.is(fresh.progress, 0);
  assert.is(settleLine(readout(S.linked, MATCH, NaN, NaN)).head, 'Settling 0 s');
  assert.is(settleLine(readout(0, 0, 10, 0.1)).state, 'none');
  assert.is(settleLine(readout(0, 0, 10, 0.1)).text, '');
  assert.is(settleLine(readout(S.bypassed, MATCH, 10, 0.1)).state, 'none');
});

test('drift formatting', () => {
  assert.equal([formatDrift(0), formatDrift(0.26), formatDrift(9.94), formatDrift(12.6), formatDrift(NaN), formatDrift(-1)], ['0.0 dB', '0.3 dB', '9.9 dB', '13 dB', '\u2014', '\u2014']);
});

test.run();
