// The loudness presets: the table the issue asks for, and which preset the current values are in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LOUDNESS_PRESETS, matchingPresets, presetById, presetParameters, REPLAYGAIN_CEILING } from './presets.ts';
import { clampParameter } from './parameters.ts';

test('the table: platforms and standards with their target (LUFS) and ceiling (dBTP)', () => {
  const rows = Object.fromEntries(LOUDNESS_PRESETS.map((p) => [p.id, [p.target, p.ceiling]]));
  assert.equal(rows, {
    spotify: [-14, -1], youtube: [-14, -1], tidal: [-14, -1], amazon: [-14, -1],
    'apple-music': [-16, -1], deezer: [-15, -1], 'ebu-r128': [-23, -1], 'atsc-a85': [-24, -2], netflix: [-27, -2],
    'podcast-stereo': [-16, -1], 'podcast-mono': [-19, -1], 'replaygain-2': [-18, -1],
  });
  assert.is(REPLAYGAIN_CEILING, -1);
  assert.is(new Set(LOUDNESS_PRESETS.map((p) => p.id)).size, LOUDNESS_PRESETS.length, 'ids are unique');
  for (const p of LOUDNESS_PRESETS) {
    assert.is(clampParameter('target', p.target), p.target, `${p.id}: target inside the parameter's range`);
    assert.is(clampParameter('ceiling', p.ceiling), p.ceiling, `${p.id}: ceiling inside the parameter's range`);
    assert.ok(p.name.length > 0);
  }
  assert.ok(Object.isFrozen(LOUDNESS_PRESETS) && Object.isFrozen(LOUDNESS_PRESETS[0]));
});

test('matchingPresets: every preset sharing the values, none after a change or with the ceiling off', () => {
  assert.equal(matchingPresets(-14, -1).map((p) => p.id), ['spotify', 'youtube', 'tidal', 'amazon']);
  assert.equal(matchingPresets(-16, -1).map((p) => p.id), ['apple-music', 'podcast-stereo']);
  assert.equal(matchingPresets(-23, -1).map((p) => p.id), ['ebu-r128']);
  assert.equal(matchingPresets(-27, -2).map((p) => p.id), ['netflix']);
  assert.equal(matchingPresets(Math.fround(-23.0001), -1).map((p) => p.id), ['ebu-r128'], 'float32 rounding still matches');
  assert.equal(matchingPresets(-23.1, -1), [], 'a 0.1 dB change is a change');
  assert.equal(matchingPresets(-23, 0), [], 'another ceiling');
  assert.equal(matchingPresets(-23, -1, false), [], 'ceiling off');
  assert.equal(matchingPresets(-18, 0), [], 'the plugin defaults match no preset');
  for (const p of LOUDNESS_PRESETS) {
    const v = presetParameters(p);
    assert.ok(matchingPresets(v.target, v.ceiling, v.ceilingOn === 1).includes(p), `${p.id} matches its own values`);
  }
  assert.is(presetById('netflix')!.target, -27);
  assert.is(presetById('nope'), undefined);
});

test.run();
