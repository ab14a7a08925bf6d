// Brotherta/wam-studio and its root plugin Pedalboard2, their call sequences reproduced in
// host-test/hosts/pages/wam-studio.js, on the built plugin in headless Chromium (OfflineAudioContexts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostSession } from './session.ts';
import { defaultState } from '../../wam/state.ts';

const { t, session, scenario } = hostSession();
const notes: string[] = [];
const f = (x: number, d = 3) => (x >= 0 ? '+' : '') + x.toFixed(d);

t('plugin instances: createInstance with no state, createGui, then setState of the bank\'s default state ({} or partial)', async () => {
  const r = await scenario<Record<string, any>>('wam-studio', 'defaultStates');
  assert.equal(r.none, defaultState());
  assert.equal(r.empty, defaultState(), 'setState({}) = the defaults');
  assert.is(r.handWritten.parameters?.mode, 3, JSON.stringify(r.handWritten));
  assert.is(r.handWritten.parameters.target, -16);
  assert.equal({ ...r.handWritten.parameters, mode: 1, target: -18 }, defaultState().parameters, 'the rest as it was');
  assert.is(r.sdkShape.parameters?.mode, 0, JSON.stringify(r.sdkShape));
  assert.equal(session.problems, []);
});

interface Alone { gainMin: number; gainMax: number; noReference: boolean; applied: number; stateGain: number; nonFinite: number }

t('Pedalboard2: children in an inner group from a preset ({ mode: 0 }, {}), prefixed parameter ids, automation, MIDI, bounce', async () => {
  const r = await scenario<{
    exposedCount: number; exposedSample: string[]; childStates: unknown[]; offset: number; tolerance: number; maxBoost: number;
    refLevel: number; outLevel: number; nonFinite: number; applied: number; linked: boolean; stateGain: number; bounce: Alone;
  }>('wam-studio', 'pedalboardSession');
  assert.is(r.exposedCount, 32, 'two LevelMatch children x 16 parameters');
  assert.equal(r.exposedSample, ['2<|:pdb2:|>mode', '2<|:pdb2:|>link', '2<|:pdb2:|>detector']);
  assert.equal(r.childStates, [{ mode: 0, link: 1 }, { dB: -8 }, { mode: 1, link: 1 }]);
  assert.is(r.offset, 1.5, 'setParameterValues({ offset: { id: "2<|:pdb2:|>offset", ... } }) reached the child');
  assert.is(r.tolerance, 0.25);
  assert.is(r.maxBoost, 18, 'plain-valued automation, one event per 0.1 s');
  assert.is(r.nonFinite, 0);
  assert.ok(r.linked);
  const diff = r.outLevel - r.refLevel;
  notes.push(`Pedalboard2 [ref, -8 dB, match +1.5 offset]: output - reference ${f(diff)} dB (want +1.5), gain applied ${f(r.applied)} dB, state gain ${f(r.stateGain)} dB`);
  assert.ok(Math.abs(diff - 1.5) < 0.3, `output ${r.outLevel.toFixed(3)} vs reference ${r.refLevel.toFixed(3)} dB`);
  // Bounce: the clone in a new OfflineAudioContext holds the state's gain from the first sample.
  const b = r.bounce;
  notes.push(`bounce: gain over the whole render ${f(b.gainMin)} .. ${f(b.gainMax)} dB (state ${f(r.stateGain)}, applied at getState ${f(r.applied)})`);
  assert.ok(b.noReference);
  assert.ok(Math.abs(b.gainMin - r.stateGain) < 0.01 && Math.abs(b.gainMax - r.stateGain) < 0.01, JSON.stringify(b));
  assert.ok(Math.abs(r.stateGain - r.applied) < 0.05, `state gain ${r.stateGain} = the gain being applied ${r.applied}`);
  assert.is(b.nonFinite, 0);
  assert.equal(session.problems, []);
});

t('per-track export: the match instance on another track than its reference keeps the gain it was applying', async () => {
  const r = await scenario<{ live: { refLevel: number; outLevel: number; applied: number; linked: boolean }; exported: Alone }>('wam-studio', 'perTrackExport');
  assert.ok(r.live.linked);
  assert.ok(Math.abs(r.live.outLevel - r.live.refLevel) < 0.3, JSON.stringify(r.live));
  const e = r.exported;
  notes.push(`per-track export (+6 dB effect): live gain applied ${f(r.live.applied)} dB; exported track's gain ${f(e.gainMin)} .. ${f(e.gainMax)} dB, no reference there: ${e.noReference}`);
  assert.ok(e.noReference, 'no reference in the track\'s own context');
  assert.ok(Math.abs(e.gainMin - r.live.applied) < 0.05 && Math.abs(e.gainMax - r.live.applied) < 0.05, JSON.stringify(e));
  assert.equal(session.problems, []);
});

t('master export: six tracks\' plugins created concurrently with Promise.all in one OfflineAudioContext, linked there', async () => {
  const r = await scenario<{ levels: number[]; distinctIds: number; count: number; nonFinite: number }>('wam-studio', 'masterExport');
  assert.is(r.count, 6);
  assert.is(r.distinctIds, 6, 'every instance id distinct');
  assert.is(r.nonFinite, 0);
  for (let k = 1; k < 6; k += 2) assert.ok(Math.abs(r.levels[k] - r.levels[k - 1]) < 0.3, `track ${k}: ${r.levels[k].toFixed(3)} vs ${r.levels[k - 1].toFixed(3)} dB`);
  notes.push(`master export: match - reference per link ${[1, 3, 5].map((k) => f(r.levels[k] - r.levels[k - 1])).join(', ')} dB`);
  assert.equal(session.problems, []);
});

test.after(() => {
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
});

t.run();
