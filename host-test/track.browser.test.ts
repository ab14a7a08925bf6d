// Track mode through the node API in a real browser (headless Chromium), with no assets extension on the page:
// loadReferenceTrack measures a song off the audio thread and its integrated loudness becomes the target; the
// readings agree with `levelmatch measure`; bad files are refused and the previous track stays; the state alone
// (no file) reproduces the target in a fresh OfflineAudioContext, by initial state and by setState.
// Page side: host-test/pages/track-host.js; files: host-test/track-fixtures.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserSession } from './browser-session.ts';
import { writeFixtures, type Fixtures } from './track-fixtures.ts';

const { t, session } = browserSession();
let fx: Fixtures;
test.before(() => {
  fx = writeFixtures();
});

function call<T>(name: string, arg?: unknown): Promise<T> {
  return session.page.evaluate(
    ([n, a]) => import('/host-test/pages/track-host.js' as string).then((m) => m[n as string](a)),
    [name, arg] as const,
  ) as Promise<T>;
}

interface Track { uri: string; name: string; integrated: number; range: number; truePeak: number; duration: number }
interface Loaded { ok: boolean; readings?: Track; message?: string; track?: Track | null; progress: number[] }
interface Rendered { inputI: number; outI: number; outS: number; track: Track | null; readout: { mode: string; gain: { applied: number }; status: Record<string, boolean>; reference: number } | null }

/** The bar: the output's integrated loudness within 0.5 LU of the track's after 10 s. */
const TRACK_TOLERANCE_LU = 0.5;
const results: string[] = [];
const fmt = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);

function assertOnTarget(r: Rendered, track: Track, what: string): void {
  const d = r.outI - track.integrated;
  results.push(`${what.padEnd(58)} input ${fmt(r.inputI - track.integrated)} LU -> output I ${fmt(d)}, S ${fmt(r.outS - track.integrated)} LU from the track`);
  assert.ok(Math.abs(d) <= TRACK_TOLERANCE_LU, `${what}: output ${r.outI.toFixed(3)} LUFS vs track ${track.integrated.toFixed(3)} (${fmt(d)} LU); readout ${JSON.stringify(r.readout)}`);
  assert.is(r.readout?.mode, 'track');
  assert.not.ok(r.readout?.status.noReference, 'the track is in use');
}

let saved: { state: Record<string, unknown>; track: Track } | null = null;

t('loadReferenceTrack: readings agree with levelmatch measure; 8 LU quieter and louder programme reach the track', async () => {
  await call('setup', { extension: false });
  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 4 } } });
  const none = await call<Rendered>('render', { offsetLU: 0 });
  assert.ok(none.readout?.status.noReference, 'no track yet: the gain holds, noReference');
  assert.is(none.readout?.gain.applied, 0);

  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 4 } } });
  const r = await call<Loaded>('load', { url: fx.song.url, name: 'Reference song', uri: '' });
  assert.ok(r.ok, r.message);
  const track = r.readings!;
  const m = fx.measured;
  results.push(`readings vs levelmatch measure: I ${fmt(track.integrated - m.integrated)} LU, LRA ${fmt(track.range - m.range)} LU, ` +
    `TP ${fmt(track.truePeak - m.truePeak)} dB (track I ${track.integrated.toFixed(2)} LUFS, LRA ${track.range.toFixed(2)} LU, TP ${track.truePeak.toFixed(2)} dBTP)`);
  assert.ok(Math.abs(track.integrated - m.integrated) <= 0.01, `integrated ${track.integrated} vs levelmatch measure ${m.integrated}`);
  assert.ok(Math.abs(track.range - m.range) <= 0.01, `LRA ${track.range} vs ${m.range}`);
  assert.ok(Math.abs(track.truePeak - m.truePeak) <= 0.01, `true peak ${track.truePeak} vs ${m.truePeak}`);
  assert.ok(Math.abs(track.duration - m.duration) < 1e-9, `duration ${track.duration} vs ${m.duration}`);
  assert.ok(track.range > 3, `the song has a loudness range (${track.range} LU)`);
  assert.is(track.name, 'Reference song');
  assert.ok(r.progress.length >= 1 && r.progress[r.progress.length - 1] === 1, `progress ${JSON.stringify(r.progress)}`);
  const quieter = await call<Rendered>('render', { offsetLU: -8 });
  assertOnTarget(quieter, track, 'node API, Blob, programme 8 LU quieter');
  saved = { state: await call('getState'), track };

  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 4 } } });
  const viaBuffer = await call<Loaded>('load', { url: fx.song.url, as: 'arraybuffer' });
  assert.ok(viaBuffer.ok, viaBuffer.message);
  assert.is(viaBuffer.readings!.integrated, track.integrated, 'an ArrayBuffer measures the same');
  assert.is(viaBuffer.readings!.name, 'Reference track', 'default name');
  const louder = await call<Rendered>('render', { offsetLU: 8 });
  assertOnTarget(louder, track, 'node API, ArrayBuffer, programme 8 LU louder');
  assert.equal(session.problems, []);
});

t('bad files (text, truncated WAV, zero length) are rejected with a message; the previous track stays and plays', async () => {
  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 4 } } });
  const good = await call<Loaded>('load', { url: fx.song.url, name: 'Good' });
  assert.ok(good.ok, good.message);
  const expect: Array<[typeof fx.text, RegExp]> = [
    [fx.text, /^could not load "notes\.wav" as the reference track: not an audio file the browser can decode \(.+\); the previous track stays$/],
    [fx.truncated, /^could not load "cut-off\.wav" as the reference track: truncated WAV: its data chunk declares \d+ bytes but only \d+ are there; the previous track stays$/],
    [fx.empty, /^could not load "empty\.wav" as the reference track: the file is empty \(0 bytes\); the previous track stays$/],
  ];
  for (const [f, message] of expect) {
    const r = await call<Loaded>('load', { url: f.url, name: f.name });
    assert.not.ok(r.ok, `${f.name} must be refused`);
    assert.match(r.message!, message);
    assert.equal(r.track, good.readings, `${f.name}: the previous track stays`);
  }
  const silent = await call<Loaded>('load', { bytes: [...new Uint8Array(44)], name: 'zeros' });
  assert.not.ok(silent.ok);
  const st = await call<{ referenceTrack: Track }>('getState');
  assert.equal(st.referenceTrack, good.readings, 'and in the state');
  const r = await call<Rendered>('render', { offsetLU: -8 });
  assertOnTarget(r, good.readings!, 'after three refused files, programme 8 LU quieter');
  assert.equal(session.problems, []);
});

t('the state alone (no file) hits the same target in a fresh OfflineAudioContext, as initial state and by setState', async () => {
  assert.ok(saved !== null, 'needs the first test');
  const { state, track } = saved!;
  assert.equal(state.referenceTrack, { uri: '', name: 'Reference song', integrated: track.integrated, range: track.range, truePeak: track.truePeak, duration: track.duration });
  assert.not.ok(JSON.stringify(state).length > 2000, 'the state holds numbers, not audio');
  const created = await call<{ track: Track }>('create', { state });
  assert.equal(created.track, track, 'the node knows the track from the initial state');
  assertOnTarget(await call<Rendered>('render', { offsetLU: 8 }), track, 'createInstance(state), programme 8 LU louder');
  await call('create', { setState: state });
  assertOnTarget(await call<Rendered>('render', { offsetLU: -8 }), track, 'createInstance() + setState(state) (bounce), 8 LU quieter');
  const round = await call<Record<string, unknown>>('getState');
  assert.equal(round.referenceTrack, state.referenceTrack, 'round trip');
  // A partial state without the key leaves the track; a saved state with `referenceTrack: null` (what getState
  // writes when there is none) clears it.
  const { referenceTrack: _, ...withoutTrack } = state;
  const kept = await call<{ track: Track | null }>('create', { state, setState: withoutTrack });
  assert.equal(kept.track, track, 'a partial state without referenceTrack leaves the track');
  const cleared = await call<{ track: Track | null }>('create', { state, setState: { ...withoutTrack, referenceTrack: null } });
  assert.is(cleared.track, null, 'setState with referenceTrack: null clears it');
  const held = await call<Rendered>('render', { offsetLU: 0 });
  assert.ok(held.readout?.status.noReference, 'track mode without a track holds');
  assert.equal(session.problems, []);
});

t('two loads at once: the newer wins and the older is refused; clearReferenceTrack removes the track', async () => {
  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 4 } } });
  const r = await call<{ first: string; second: string; after: string | null; cleared: unknown; stateHasTrack: boolean; events: number }>('overlapAndClear', { url: fx.song.url });
  assert.is(r.first, '"first" was replaced by a newer reference track before it was measured');
  assert.is(r.second, 'second');
  assert.is(r.after, 'second');
  assert.is(r.cleared, null);
  assert.not.ok(r.stateHasTrack, 'a cleared track leaves the state (referenceTrack: null)');
  assert.is(r.events, 1, 'one referencetrack event for the clear');
  const held = await call<Rendered>('render', { offsetLU: 0 });
  assert.ok(held.readout?.status.noReference, 'cleared: track mode holds');
  assert.equal(session.problems, []);
});

t('a long track is measured in chunks: progress events, and the page gets turns in between', async () => {
  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 4 } } });
  const r = await call<{ readings: Track; progress: number[]; fractions: number[]; ticks: number; frames: number }>('loadLong', { seconds: 120 });
  const chunks = Math.ceil(r.frames / 65536);
  assert.is(r.progress.length, chunks, 'a trackprogress event per chunk');
  assert.equal(r.fractions, r.progress, 'onProgress sees the same fractions');
  for (let i = 1; i < r.progress.length; i++) assert.ok(r.progress[i] > r.progress[i - 1]);
  assert.is(r.progress[r.progress.length - 1], 1);
  assert.ok(r.ticks >= chunks - 1, `other tasks ran between chunks: ${r.ticks} turns for ${chunks} chunks`);
  assert.ok(Math.abs(r.readings.duration - 120) < 1e-9);
  results.push(`120 s track: ${chunks} chunks, ${r.progress.length} progress events, ${r.ticks} turns of another task in between`);
  await call('close');
  assert.equal(session.problems, []);
});

test.after(() => {
  if (results.length > 0) console.log(`\nreference track (node API):\n${results.join('\n')}`);
});

test.run();
