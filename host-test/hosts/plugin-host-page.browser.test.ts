// A wam-examples per-plugin host page (createInstance with `{}` as the initial state, the WAM environment set up
// with addFunctionModule), reproduced in host-test/hosts/pages/plugin-host-page.js, in headless Chromium.
import * as assert from 'uvu/assert';
import { hostSession } from './session.ts';
import { defaultState } from '../../wam/state.ts';

const { t, session, scenario } = hostSession();

t('per-plugin host page: createInstance(groupId, ctx, {}) starts at the defaults, plays, shows its GUI', async () => {
  const r = await scenario<{ state: unknown; audio: { peak: number; nonFinite: number }; hasReadout: boolean; guiShown: boolean }>('plugin-host-page', 'run');
  assert.equal(r.state, defaultState());
  assert.ok(r.audio.peak > 0.01 && r.audio.nonFinite === 0, JSON.stringify(r.audio));
  assert.ok(r.hasReadout, 'readouts arrive');
  assert.ok(r.guiShown);
  assert.equal(session.problems, []);
});

t.run();
