// The webaudiomodules/wam-examples host (packages/host), its call sequence reproduced in
// host-test/hosts/pages/wam-examples-host.js, on the built plugin in headless Chromium (a real-time context).
import * as assert from 'uvu/assert';
import { hostSession } from './session.ts';
import { PARAMETER_IDS } from '../../wam/parameters.ts';

const { t, session, scenario } = hostSession();

interface Run {
  groupKeyIsString: boolean;
  lanes: string[];
  infoPanelLength: number;
  offset: number;
  detector: number;
  tolerance: number;
  audio: { peak: number; nonFinite: number };
  readouts: number;
  savedOffset: number;
  saved: unknown;
  restored: unknown;
  firstGuiRemoved: boolean;
  secondGuiMounted: boolean;
  secondOffset: number;
  secondAudio: { peak: number; nonFinite: number };
  added: string[];
}

t('wam-examples host: load with no state, GUI, automation without normalized, MIDI, connectEvents, save/restore, replace', async () => {
  const r = await scenario<Run>('wam-examples-host', 'run');
  assert.ok(r.groupKeyIsString);
  assert.is(r.lanes.length, PARAMETER_IDS.length);
  assert.ok(r.lanes.includes('offset (Offset): -24 - 24'), r.lanes.join('; '));
  // The lanes' last events: offset -6 + 24 * 0.49.. dB, detector 2.2 -> 2 (a choice rounds).
  assert.ok(Math.abs(r.offset - (-6 + 24 * 0.49)) < 0.25, `offset ${r.offset}`);
  assert.is(r.detector, 2);
  assert.is(r.tolerance, 1.25, 'automation from the emitter, through connectEvents');
  assert.ok(r.audio.peak > 0.01 && r.audio.nonFinite === 0, JSON.stringify(r.audio));
  assert.ok(r.readouts > 5, `readouts ${r.readouts}`);
  assert.equal(r.restored, r.saved, 'setState(getState()) restores');
  assert.ok(r.firstGuiRemoved && r.secondGuiMounted);
  assert.is(r.secondOffset, 0, 'the replacement starts at the defaults');
  assert.ok(r.secondAudio.peak > 0.01 && r.secondAudio.nonFinite === 0, JSON.stringify(r.secondAudio));
  assert.equal(r.added, [], 'nothing added to the host page\'s globals (the GUI\'s Lit included)');
  assert.equal(session.problems, []);
});

t.run();
