import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransportWatch } from './transport.ts';

const ev = (playing: boolean, currentBar: number, currentBarStarted: number, tempo = 120) => ({
  playing, currentBar, currentBarStarted, tempo, timeSigNumerator: 4, timeSigDenominator: 4,
});

test('playback start re-acquires; a continuing position does not; a jump does', () => {
  const w = new TransportWatch();
  assert.is(w.restarts(ev(false, 0, 0)), false, 'stopped');
  assert.is(w.restarts(ev(true, 0, 1)), true, 'play');
  // 4/4 at 120 bpm: a bar lasts 2 s; bar 3 started 6 s after bar 0 is where playback is.
  assert.is(w.restarts(ev(true, 3, 7)), false, 'continuous (tempo event)');
  assert.is(w.restarts(ev(true, 3, 7, 90)), false, 'tempo change in place');
  assert.is(w.restarts(ev(true, 12, 8)), true, 'jumped ahead');
  assert.is(w.restarts(ev(false, 12, 8)), false, 'stop');
  assert.is(w.restarts(ev(true, 12, 20)), true, 'play again');
});

test('malformed data is ignored', () => {
  const w = new TransportWatch();
  for (const d of [null, 3, 'x', {}, { playing: 'yes' }]) assert.is(w.restarts(d), false);
  assert.is(w.restarts({ playing: true }), true, 'defaults for missing fields');
});

test.run();
