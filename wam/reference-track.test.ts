// The reference track in the state: validated field by field, round-tripped, never holding audio.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseReferenceTrack, MAX_TRACK_TEXT } from './reference-track.ts';
import { parseState } from './state.ts';

const TRACK = { uri: 'project://audio/ref.wav', name: 'Ref song', integrated: -9.25, range: 5.5, truePeak: -0.3, duration: 201.5 };
const STATE = (referenceTrack: unknown) => ({ format: 'levelmatch', version: 1, parameters: { mode: 4 }, referenceTrack });

test('a valid track is kept (its six fields only); none, undefined or null mean no track', () => {
  const s = parseState(STATE({ ...TRACK, content: 'AAAA', extra: 1 }));
  assert.equal(s.referenceTrack, TRACK);
  assert.is(s.parameters.mode, 4);
  assert.equal(parseState(JSON.parse(JSON.stringify(s))), s, 'JSON round trip');
  assert.is(parseState(STATE(null)).referenceTrack, null);
  assert.is(parseState(STATE(undefined)).referenceTrack, null);
  assert.is(parseState({ format: 'levelmatch', version: 1 }).referenceTrack, null);
  assert.is(parseReferenceTrack(null), null);
});

test('bad fields are named', () => {
  const bad: Array<[unknown, string]> = [
    ['ref.wav', 'state.referenceTrack must be an object or null'],
    [[TRACK], 'state.referenceTrack must be an object or null'],
    [new (class Track {})(), 'state.referenceTrack must be an object or null'],
    [{ ...TRACK, uri: 5 }, 'state.referenceTrack.uri must be a string'],
    [{ ...TRACK, name: undefined }, 'state.referenceTrack.name must be a string'],
    [{ ...TRACK, name: 'x'.repeat(MAX_TRACK_TEXT + 1) }, `state.referenceTrack.name is longer than ${MAX_TRACK_TEXT} characters`],
    [{ ...TRACK, integrated: -Infinity }, 'state.referenceTrack.integrated must be a finite number'],
    [{ ...TRACK, integrated: '-9' }, 'state.referenceTrack.integrated must be a finite number'],
    [{ ...TRACK, range: NaN }, 'state.referenceTrack.range must be a finite number'],
    [{ ...TRACK, range: -1 }, 'state.referenceTrack.range must be at least 0'],
    [{ ...TRACK, truePeak: null }, 'state.referenceTrack.truePeak must be a finite number'],
    [{ ...TRACK, duration: -2 }, 'state.referenceTrack.duration must be at least 0'],
  ];
  for (const [track, message] of bad) {
    assert.throws(() => parseState(STATE(track)), (e: Error) => e.message === message, message);
  }
});

test.run();
