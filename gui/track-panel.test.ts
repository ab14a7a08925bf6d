// The track panel's pure helpers: the preset line and durations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration, presetStatus } from './track-panel.ts';

test('presetStatus: in force, modified, several matching, none', () => {
  assert.equal(presetStatus('netflix', -27, -2, true), { state: 'in-force', text: 'Netflix in force: \u221227.0 LUFS, ceiling \u22122.0 dBTP', selected: 'netflix' });
  assert.equal(presetStatus('netflix', -26, -2, true).state, 'modified');
  assert.is(presetStatus('netflix', -26, -2, true).text, 'Netflix no longer matches: \u221226.0 LUFS, ceiling \u22122.0 dBTP');
  assert.is(presetStatus('netflix', -27, -2, false).state, 'modified', 'ceiling off breaks the preset');
  assert.equal(presetStatus('', -14, -1, true), { state: 'in-force', text: 'Spotify, YouTube, Tidal, Amazon Music: \u221214.0 LUFS, ceiling \u22121.0 dBTP', selected: 'spotify' });
  assert.is(presetStatus('youtube', -14, -1, true).text.startsWith('YouTube in force'), true, 'the chosen one of several');
  assert.equal(presetStatus('', -18, 0, true), { state: 'custom', text: 'No preset: \u221218.0 LUFS, ceiling 0.0 dBTP', selected: '' });
  assert.is(presetStatus('', -18, 0, false).text, 'No preset: \u221218.0 LUFS, ceiling off');
});

test('formatDuration', () => {
  assert.is(formatDuration(201.4), '3:21');
  assert.is(formatDuration(3725), '1:02:05');
  assert.is(formatDuration(0.2), '0:00');
  assert.is(formatDuration(NaN), '\u2014');
});

test.run();
