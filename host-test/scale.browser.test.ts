// Issue 16 in a real browser (headless Chromium): 512 LevelMatch instances in one OfflineAudioContext all process
// (a readout arrives from every one, no engine error, every match instance linked to its own pair's reference on a
// link channel of its own and matching it), and two
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
  worstMatchError: number;
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
  // Every pair on a link of its own, its reference at its own level and its effect at its own gain (-9..+3 dB):
  // after 1 s each match instance's learned gain is its own pair's (another pair's reference would put it 0.05 dB
  // or more off).
  assert.ok(s.worstMatchError < 0.03, `worst match gain error ${s.worstMatchError} dB (gains ${s.minMatchGain}..${s.maxMatchGain} dB)`);
  assert.is(s.nonFinite, 0);
}

t('512 instances in one OfflineAudioContext (224 linked pairs, each on a link of its own, + 64 targets) all process and match their own pairs', async () => {
  const [s] = await renderMany({ contexts: 1, pairs: 224, targets: 64, seconds: 1 });
  console.log(`  512 instances: readouts from all, match gains ${s.minMatchGain.toFixed(2)}..${s.maxMatchGain.toFixed(2)} dB after 1 s, worst error against their own pairs ${s.worstMatchError.toFixed(4)} dB`);
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
