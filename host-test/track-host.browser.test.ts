// Track mode from the GUI in a real browser (headless Chromium): a mock host with the assets extension of the
// `wam-extensions` package (window.WAMExtensions.assets, an AssetExtension) lets the user "Pick from project";
// the plugin fetches the content with loadAsset when the pick hands none, measures it, lists it in
// fetchAssetList, and after a reload works from the state alone (loadAsset again only on "Re-measure").
// Without the extension: "Choose file..." (a real file input, playwright setInputFiles) and drag-and-drop.
// Presets: choosing one sets target and ceiling; the panel says when the values no longer match it.
// Page side: host-test/pages/track-host.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { browserSession, REPO_ROOT } from './browser-session.ts';
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v) && Date.now() < end) {
    await sleep(50);
    v = await f();
  }
  return v;
}

interface Track { uri: string; name: string; integrated: number; range: number; truePeak: number; duration: number }
interface Panel {
  name: string | null; readings: string | null; diff: string | null; error: string | null; pick: boolean; remeasure: boolean;
  choose: boolean; preset: string | null; presetState: string | null; selected: string | null; busy: boolean;
}
interface Rendered { inputI: number; outI: number; outS: number; track: Track | null; panel: Panel | null; readout: { mode: string; status: Record<string, boolean> } | null }
interface AssetLog { pick: number; load: string[]; pluginIds: string[]; instanceId: string; registered: string[]; list: Array<{ uri: string; name: string }> | null }

const TRACK_TOLERANCE_LU = 0.5;
const URI = 'project://audio/reference-song';
const MODE_TRACK = { format: 'levelmatch', version: 1, parameters: { mode: 4 } };
const results: string[] = [];
const fmt = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);
const panelTrack = () => until(() => call<Panel>('panel'), (p) => p !== null && p.readings !== null && !p.busy);

function assertOnTarget(r: Rendered, track: Track, what: string): void {
  const d = r.outI - track.integrated;
  results.push(`${what.padEnd(52)} input ${fmt(r.inputI - track.integrated)} LU -> output I ${fmt(d)}, S ${fmt(r.outS - track.integrated)} LU from the track`);
  assert.ok(Math.abs(d) <= TRACK_TOLERANCE_LU, `${what}: output ${r.outI.toFixed(3)} vs track ${track.integrated.toFixed(3)} LUFS; ${JSON.stringify(r.readout)}`);
}

t('mock host with the assets extension: Pick from project -> loadAsset -> measured -> 8 LU quieter programme reaches the track', async () => {
  await call('setup', { extension: true, files: [{ uri: URI, name: 'Reference song.wav', url: fx.song.url }] });
  const { instanceId } = await call<{ instanceId: string }>('create', { state: MODE_TRACK, gui: true });
  let log = await call<AssetLog>('assetLog');
  assert.ok(log.registered.includes(instanceId), 'the instance registered a delegate under its instanceId');
  assert.equal(log.list, [], 'no track yet: no assets');
  let p = await call<Panel>('panel');
  assert.ok(p.pick && p.choose, 'Pick from project and Choose file... are offered');
  assert.is(p.name, 'No reference track');

  await session.page.locator('levelmatch-track-panel #pick').click();
  p = await panelTrack();
  log = await call<AssetLog>('assetLog');
  assert.is(log.pick, 1);
  assert.equal(log.load, [URI], 'the pick had no content: the plugin fetched it with loadAsset');
  assert.ok(log.pluginIds.every((id) => id === instanceId), 'calls name the instance');
  assert.equal(log.list, [{ uri: URI, name: 'Reference song.wav' }], 'fetchAssetList lists the track');
  const track = (await call<Track>('track'))!;
  assert.ok(Math.abs(track.integrated - fx.measured.integrated) <= 0.01, `picked track ${track.integrated} vs levelmatch measure ${fx.measured.integrated}`);
  assert.is(p.name, 'Reference song.wav');
  assert.match(p.readings!, /^I −?\d+\.\d LUFS · LRA \d+\.\d LU · TP −?\d+\.\d dBTP · 0:16$/);
  assert.ok(p.readings!.includes(`I \u2212${Math.abs(track.integrated).toFixed(1)} LUFS`), p.readings!);
  assert.ok(p.remeasure, 'Re-measure is offered for a host asset');
  // For a human to look at: the GUI in track mode with a picked track.
  await session.page.locator('levelmatch-gui').screenshot({ path: path.join(REPO_ROOT, 'host-test/out/track-mode.png') });

  const r = await call<Rendered>('render', { offsetLU: -8 });
  assertOnTarget(r, track, 'assets: picked, programme 8 LU quieter');
  assert.match(r.panel!.diff!, /^Output [+−]\d+\.\d LU from the track \(integrated\), [+−]?\d+\.\d LU short-term$/);
  const state = await call<Record<string, unknown>>('getState');
  assert.equal(state.referenceTrack, { ...track, uri: URI, name: 'Reference song.wav' });

  // Reload: the state holds the numbers, so nothing is fetched; "Re-measure" fetches it again.
  const loadsBefore = log.load.length;
  const again = await call<{ instanceId: string; track: Track }>('create', { state, gui: true });
  assert.equal(again.track, track);
  log = await call<AssetLog>('assetLog');
  assert.is(log.load.length, loadsBefore, 'no loadAsset after a reload: the state had the readings');
  assert.equal(log.list, [{ uri: URI, name: 'Reference song.wav' }], 'the reloaded instance lists the track');
  assert.not.ok(log.registered.includes(instanceId), 'the destroyed instance unregistered');
  p = await panelTrack();
  assert.is(p.name, 'Reference song.wav');
  await session.page.locator('levelmatch-track-panel #remeasure').click();
  await until(() => call<AssetLog>('assetLog'), (l) => l.load.length === loadsBefore + 1);
  p = await panelTrack();
  log = await call<AssetLog>('assetLog');
  assert.equal(log.load, [URI, URI], 'Re-measure used loadAsset');
  assert.equal(await call<Track>('track'), track, 'the same readings');
  assertOnTarget(await call<Rendered>('render', { offsetLU: 8 }), track, 'assets: after reload + Re-measure, 8 LU louder');
  assert.equal(session.problems, []);
});

t('a pick that carries its content needs no loadAsset', async () => {
  await call('setup', { extension: true, withContent: true, files: [{ uri: URI, name: 'With content.wav', url: fx.song.url }] });
  await call('create', { state: MODE_TRACK, gui: true });
  await session.page.locator('levelmatch-track-panel #pick').click();
  const p = await panelTrack();
  assert.is(p.name, 'With content.wav');
  const log = await call<AssetLog>('assetLog');
  assert.is(log.pick, 1);
  assert.equal(log.load, []);
  assert.equal(session.problems, []);
});

t('without the extension: Choose file... (a real file input) and drag-and-drop; a bad drop shows why and keeps the track', async () => {
  await call('setup', { extension: false });
  await call('create', { state: MODE_TRACK, gui: true });
  let p = await call<Panel>('panel');
  assert.not.ok(p.pick, 'no Pick from project without the extension');
  assert.ok(p.choose);
  await session.page.locator('levelmatch-track-panel input[type=file]').setInputFiles(fx.song.file);
  p = await panelTrack();
  assert.is(p.name, 'reference-song.wav');
  const track = (await call<Track>('track'))!;
  assert.ok(Math.abs(track.integrated - fx.measured.integrated) <= 0.01);
  assert.is(track.uri, '', 'a local file has no host URI');
  assertOnTarget(await call<Rendered>('render', { offsetLU: -8 }), track, 'GUI: chosen file, programme 8 LU quieter');

  await call('create', { state: MODE_TRACK, gui: true });
  await call('drop', { url: fx.song.url, name: 'dropped.wav' });
  p = await panelTrack();
  assert.is(p.name, 'dropped.wav');
  await call('drop', { url: fx.truncated.url, name: 'cut-off.wav' });
  p = await until(() => call<Panel>('panel'), (x) => x.error !== null);
  assert.match(p.error!, /^could not load "cut-off\.wav" as the reference track: truncated WAV/);
  assert.is(p.name, 'dropped.wav', 'the previous track stays');
  await call('drop', { bytes: [...Buffer.from('not audio at all')], name: 'notes.txt' });
  p = await until(() => call<Panel>('panel'), (x) => x.error !== null && x.error.includes('notes.txt'));
  assert.match(p.error!, /not an audio file the browser can decode/);
  assert.is(p.name, 'dropped.wav');
  assertOnTarget(await call<Rendered>('render', { offsetLU: 8 }), track, 'GUI: dropped file, then two bad drops, 8 LU louder');
  assert.equal(session.problems, []);
});

t('presets: choosing one sets target and ceiling; the panel says it is in force, then that it no longer matches', async () => {
  await call('setup', { extension: false });
  await call('create', { state: { format: 'levelmatch', version: 1, parameters: { mode: 3 } }, gui: true });
  let p = await call<Panel>('panel');
  assert.is(p.presetState, 'custom');
  assert.is(p.preset, 'No preset: \u221218.0 LUFS, ceiling 0.0 dBTP');
  await session.page.locator('levelmatch-track-panel select').selectOption('netflix');
  const v = await until(() => call<Record<string, number>>('parameters'), (x) => x.target === -27 && x.ceiling === -2);
  assert.equal([v.target, v.ceiling, v.ceilingOn], [-27, -2, 1]);
  p = await until(() => call<Panel>('panel'), (x) => x.presetState === 'in-force');
  assert.is(p.preset, 'Netflix in force: \u221227.0 LUFS, ceiling \u22122.0 dBTP');
  assert.is(p.selected, 'netflix');
  // The GUI ignores incoming values for a parameter for 400 ms after it set one itself (parameter-bridge.ts).
  await sleep(500);
  await call('setParameters', { target: -26 });
  p = await until(() => call<Panel>('panel'), (x) => x.presetState === 'modified');
  assert.is(p.preset, 'Netflix no longer matches: \u221226.0 LUFS, ceiling \u22122.0 dBTP');
  await call('setParameters', { target: -14, ceiling: -1 });
  await sleep(500);
  await session.page.locator('levelmatch-track-panel select').selectOption('youtube');
  p = await until(() => call<Panel>('panel'), (x) => x.preset?.startsWith('YouTube') ?? false);
  assert.is(p.preset, 'YouTube in force: \u221214.0 LUFS, ceiling \u22121.0 dBTP');
  // Track mode keeps the presets (the ceiling applies there) and adds the track section.
  await call('setParameters', { mode: 4 });
  p = await call<Panel>('panel');
  assert.ok(p.preset!.includes('track mode: the ceiling applies'), p.preset!);
  assert.is(p.name, 'No reference track');
  await call('close');
  assert.equal(session.problems, []);
});

test.after(() => {
  if (results.length > 0) console.log(`\nreference track (GUI, assets extension):\n${results.join('\n')}`);
});

test.run();
