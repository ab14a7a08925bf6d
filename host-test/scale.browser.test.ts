// Issue 16 in a real browser (headless Chromium): 512 LevelMatch instances in one OfflineAudioContext all process
// (a readout arrives from every one, no engine error, every match instance linked and matching), and two
// contexts of 256 rendering at the same time. Before issue 16 the 125th instance failed to instantiate its own
// WebAssembly memory. Timings are in the bench (scripts/bench-scale.ts), not here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserSession } from './browser-session.ts';

const { t, session } = browserSession();

interface Summary {
  instances: number;
  errors: string[];
  withoutReadouts: number;
  unlinkedMatches: number;
  minMatchGain: number;
  maxMatchGain: number;
  nonFinite: number;
}

function renderMany(arg: { contexts: number; pairs: number; targets: number; seconds: number }): Promise<Summary[]> {
  return session.page.evaluate(
    (a) => import('/host-test/pages/scale-host.js' as string).then((m) => m.renderMany(a)),
    arg,
  ) as Promise<Summary[]>;
}

function check(s: Summary, instances: number): void {
  assert.is(s.instances, instances);
  assert.equal(s.errors, []);
  assert.is(s.withoutReadouts, 0, 'a readout from every instance');
  assert.is(s.unlinkedMatches, 0, 'every match instance linked to its reference');
  // -6 dB between reference and match; 1 s of audio: the gain is under way towards +6 dB (short-term).
  assert.ok(s.minMatchGain > 0.5 && s.maxMatchGain <= 6.1, `match gains ${s.minMatchGain}..${s.maxMatchGain} dB`);
  assert.is(s.nonFinite, 0);
}

t('512 instances in one OfflineAudioContext (224 linked pairs on 16 links + 64 targets) all process', async () => {
  const [s] = await renderMany({ contexts: 1, pairs: 224, targets: 64, seconds: 1 });
  console.log(`  512 instances: readouts from all, match gains ${s.minMatchGain.toFixed(2)}..${s.maxMatchGain.toFixed(2)} dB after 1 s`);
  check(s, 512);
  assert.equal(session.problems, []);
});

t('two OfflineAudioContexts of 256 instances each, rendering together', async () => {
  const all = await renderMany({ contexts: 2, pairs: 112, targets: 32, seconds: 1 });
  assert.is(all.length, 2);
  for (const s of all) check(s, 256);
  assert.equal(session.problems, []);
});

test.run();
