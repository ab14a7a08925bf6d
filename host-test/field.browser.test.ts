// The gain law in the field (issue 9) in real Chromium, with Web Audio's own nodes as the effects: the built
// plugin hosted as a WAM in OfflineAudioContexts (host-test/pages/field-host.js), on the field set's own
// programmes, measured by the field set's own evaluate() with the library's meter (host-test/field/), so the
// numbers compare one to one with the headless host's (host-test/plugin/field.test.ts, `npm run evaluate`).
//
// The goals at the defaults are asserted as stated, scoped as the headless test scopes them
// (host-test/field/scope.ts: the target-mode share on programme with sections of 15 s or more, speech's
// integrated loudness; raw fresh-start and burst figures where a constant gain meets them, the gain's own part
// everywhere; every jump of 10 LU or more within 1.5 s). A goal that the current gain law does not meet
// yet in Chromium is not loosened here: it is listed in PENDING with the number measured when it was written,
// the test prints it as NOT MET on every run and asserts only that it gets no worse, and says when it is met
// (then remove it from PENDING).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserSession, REPO_ROOT } from './browser-session.ts';
import type { Metrics } from './field/metrics.ts';
import { BURST_LU, FRESH_LU, hasLongSections, rawBurstHeld, rawFreshHeld } from './field/scope.ts';

// The field set's programmes and measurements, bundled for the page (served from host-test/out/).
mkdirSync(path.join(REPO_ROOT, 'host-test/out'), { recursive: true });
buildSync({
  stdin: {
    contents: "export * from './programmes.ts';\nexport { evaluate } from './metrics.ts';\n",
    resolveDir: path.join(REPO_ROOT, 'host-test/field'),
    loader: 'ts',
  },
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning',
  outfile: path.join(REPO_ROOT, 'host-test/out/field-kit.js'),
});

const { t, session } = browserSession();

interface FieldResult {
  metrics: Metrics;
  jumps: number[];
  seconds: number;
  nonFinite: number;
  readouts: number;
  parameters: { target: number; ceiling: number; ceilingOn: number; maxBoost: number };
  last: { estimateSeconds: number; drift: number; applied: number; status: Record<string, boolean> } | null;
}
interface Spec {
  name: string;
  mode: 'match' | 'target';
  programme: 'song' | 'sections' | 'speech' | 'transients';
  effect?: Record<string, unknown>;
  params?: Record<string, number>;
  moves?: number[];
}

function run(s: Spec): Promise<FieldResult> {
  return session.page.evaluate(
    (a) => import('/host-test/pages/field-host.js' as string).then((m) => m.runField(a)),
    { mode: s.mode, programme: s.programme, effect: s.effect ?? null, params: s.params ?? {}, moves: s.moves ?? [] },
  ) as Promise<FieldResult>;
}

/**
 * Goals not met yet in Chromium by the current gain law: `${scenario} | ${goal}` -> the value measured then
 * (issue-9c; the headless host measures the same within a few hundredths: target mode involves no Web Audio
 * node). The breakdown's first 2 s are 1.5-2 LU under its mean (a slow pad swell): a causal estimate of the
 * section's level from its first second is that far off.
 */
const PENDING: Record<string, number> = {
  'target, music 4 x 15 s sections | settle within 1.5 s after jump 2': 2.64,
};

const rows: string[] = [];
const rawNotes: string[] = [];
const notMet: string[] = [];
const nowMet: string[] = [];
const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : x > 0 ? 'never' : '-');

/**
 * Checks `value` against a goal (`ok`); a goal listed in PENDING is reported instead, and must not get worse
 * than the value recorded there (by more than `slack`, in the direction `worse`).
 */
function goal(scenario: string, name: string, value: number, ok: (v: number) => boolean, worse: (v: number, was: number) => boolean, detail: string): void {
  const key = `${scenario} | ${name}`;
  const was = PENDING[key];
  if (was === undefined) {
    assert.ok(ok(value), `${scenario}: ${name}: ${detail}`);
    return;
  }
  if (ok(value)) nowMet.push(`${key}: ${detail} (met now: remove it from PENDING)`);
  else notMet.push(`${key}: ${detail}`);
  assert.not.ok(worse(value, was), `${key}: ${detail}, worse than the ${was} recorded as pending`);
}

const SETTLE_S = 1.5;
const JUMP_LU = 10;
const MATCH: Spec[] = [
  { name: 'GainNode +12 / -12 dB moves', mode: 'match', programme: 'song', effect: { kind: 'gain', dB: 0, moves: [[6, 12], [18, 0], [30, -12]] }, moves: [6, 18, 30] },
  { name: 'compressor, transients pass', mode: 'match', programme: 'song', effect: { kind: 'transientComp' }, params: { maxBoost: 30 } },
  { name: 'compressor + 14 dB make-up', mode: 'match', programme: 'song', effect: { kind: 'overshootComp' } },
  { name: 'WaveShaper saturation', mode: 'match', programme: 'song', effect: { kind: 'saturation' } },
  { name: 'Biquad EQ tilt', mode: 'match', programme: 'song', effect: { kind: 'tilt' } },
  { name: 'speech, compressor + tilt', mode: 'match', programme: 'speech', effect: { kind: 'compTilt' }, params: { maxBoost: 30 } },
  { name: 'fresh behind GainNode +12 dB', mode: 'match', programme: 'song', effect: { kind: 'gain', dB: 12 } },
];

const row = (name: string, m: Metrics): string =>
  `${name.padEnd(32)} ${f(m.integratedError).padStart(6)} ${m.settle.map((x) => f(x, 1)).join('/').padStart(18)} ${f(m.freshError).padStart(6)} ${f(m.freshGain).padStart(6)} ${f(m.freshStatic).padStart(6)} ` +
  `${f(m.burst).padStart(6)} ${f(m.burstGain).padStart(6)} ${(m.within1 * 100).toFixed(0).padStart(4)}% ${f(m.meanError).padStart(5)} ${f(m.truePeakOver).padStart(6)} ${f(m.heldOff).padStart(5)}`;

/** Every jump of 10 LU or more (programme or rack move): the gain within 1 dB of the section's ideal within 1.5 s. */
function settleGoals(name: string, r: FieldResult): void {
  r.metrics.settle.forEach((t, k) => {
    if (r.metrics.jumpSizes[k] < JUMP_LU) return;
    goal(name, `settle within ${SETTLE_S} s after jump ${k + 1}`, t, (v) => v <= SETTLE_S, (v, was) => v > was + 0.3,
      `settled ${f(t, 2)} s after the ${f(r.metrics.jumpSizes[k], 1)} LU jump at ${r.jumps[k]} s`);
  });
}

/** Fresh start (and, in match mode, the burst), scoped as host-test/field/scope.ts says. */
function freshGoals(name: string, m: Metrics, match: boolean): void {
  assert.ok(Number.isFinite(m.freshGain), `fresh gain error ${m.freshGain}`);
  goal(name, 'fresh gain within 1 LU at 1 s', m.freshGain, (v) => Math.abs(v) <= FRESH_LU, (v, was) => Math.abs(v) > Math.abs(was) + 0.3, `M(out) - M(matched opening) at 1 s ${f(m.freshGain)} LU`);
  const against = match ? 'M(ref)' : 'target';
  if (rawFreshHeld(m)) goal(name, 'fresh within 1 LU at 1 s', m.freshError, (v) => Math.abs(v) <= FRESH_LU, (v, was) => Math.abs(v) > Math.abs(was) + 0.3, `M(out) - ${against} at 1 s ${f(m.freshError)} LU`);
  else if (Math.abs(m.freshError) > FRESH_LU) rawNotes.push(`${name}: M(out) - ${against} at 1 s ${f(m.freshError)} LU, where a constant gain scores ${f(m.freshStatic)}`);
  if (!match) return;
  goal(name, 'no burst (gain)', m.burstGain, (v) => v <= BURST_LU, (v, was) => v > was + 0.3, `largest M excess over the matched opening in the first 3 s ${f(m.burstGain)} LU`);
  if (rawBurstHeld(m)) goal(name, 'no burst', m.burst, (v) => v <= BURST_LU, (v, was) => v > was + 0.3, `largest M excess over the reference in the first 3 s ${f(m.burst)} LU`);
  else if (m.burst > BURST_LU) rawNotes.push(`${name}: burst ${f(m.burst)} LU, where a constant gain scores ${f(m.burstStatic)}`);
}

for (const s of MATCH) {
  t(`Chromium, match, ${s.name}: I within 0.3 LU; each jump of 10 LU or more settled within ${SETTLE_S} s; fresh start within 1 LU (M) at 1 s, no burst`, async () => {
    const r = await run(s);
    const m = r.metrics;
    rows.push(row(s.name, m));
    assert.is(r.nonFinite, 0);
    assert.ok(r.readouts >= 20 * r.seconds, `readouts ${r.readouts}`);
    goal(s.name, 'integrated within 0.3 LU', m.integratedError, (v) => Math.abs(v) <= 0.3, (v, was) => Math.abs(v) > Math.abs(was) + 0.2, `I(out) - I(ref) ${f(m.integratedError)} LU`);
    settleGoals(s.name, r);
    freshGoals(s.name, m, true);
    assert.equal(session.problems, []);
  });
}

const TARGET: Spec[] = [
  { name: 'target, music 4 x 15 s sections', mode: 'target', programme: 'sections' },
  { name: 'target, speech with pauses', mode: 'target', programme: 'speech' },
  { name: 'target, sharp transients', mode: 'target', programme: 'transients' },
];

for (const s of TARGET) {
  const long = hasLongSections(s.programme);
  t(`Chromium, ${s.name}: ${long ? 'within 1 LU of -18 >= 85 % after 2 s, mean error < 0.7 LU' : 'I(out) within 0.3 LU of -18'}, true peak <= ceiling + 0.1 dB, not held off by old peaks, fresh start within 1 LU at 1 s`, async () => {
    const r = await run(s);
    const m = r.metrics;
    rows.push(row(s.name, m));
    assert.is(r.nonFinite, 0);
    assert.is(r.parameters.target, -18);
    assert.is(r.parameters.ceilingOn, 1);
    if (long) {
      goal(s.name, 'within 1 LU >= 85 %', m.within1, (v) => v >= 0.85, (v, was) => v < was - 0.05, `within 1 LU ${f(m.within1 * 100, 0)} % of the time after 2 s`);
      goal(s.name, 'mean error < 0.7 LU', m.meanError, (v) => v < 0.7, (v, was) => v > was + 0.2, `mean |S(out) - target| ${f(m.meanError)} LU (worst ${f(m.worstError)})`);
    } else {
      // Speech (phrases of a few seconds, not 15 s sections): the gain is not ridden up by its pauses.
      goal(s.name, 'integrated within 0.3 LU', m.integratedError, (v) => Math.abs(v) <= 0.3, (v, was) => Math.abs(v) > Math.abs(was) + 0.2, `I(out) - target ${f(m.integratedError)} LU`);
      rawNotes.push(`${s.name}: within 1 LU (S) ${f(m.within1 * 100, 0)} %, mean ${f(m.meanError)} LU (reported: no 15 s sections)`);
    }
    goal(s.name, 'true peak <= ceiling + 0.1 dB', m.truePeakOver, (v) => v <= 0.1, (v, was) => v > was + 0.1, `true peak (4x) ${f(m.truePeakOver)} dB over the ${r.parameters.ceiling} dBTP ceiling`);
    goal(s.name, 'held off by old peaks <= 1 dB', m.heldOff, (v) => v <= 1, (v, was) => v > was + 0.3, `held off ${f(m.heldOff)} dB by peaks older than the release`);
    settleGoals(s.name, r);
    freshGoals(s.name, m, false);
    assert.equal(session.problems, []);
  });
}

test.after(() => {
  if (rows.length === 0) return;
  console.log(`\n  the gain law in Chromium (Web Audio nodes), measured with the library meter (gM@1s, gburst: against the matched opening; sM@1s: a constant gain's own):\n` +
    `  ${'scenario'.padEnd(32)} ${'dI LU'.padStart(6)} ${'settle s'.padStart(18)} ${'M@1s'.padStart(6)} ${'gM@1s'.padStart(6)} ${'sM@1s'.padStart(6)} ${'burst'.padStart(6)} ${'gburst'.padStart(6)} ${'<1LU'.padStart(5)} ${'mean'.padStart(5)} ${'TP-ceil'.padStart(6)} ${'held'.padStart(5)}\n  ${rows.join('\n  ')}`);
  if (rawNotes.length) console.log(`\n  raw figures, not asserted (host-test/field/scope.ts):\n    ${rawNotes.join('\n    ')}`);
  if (notMet.length) console.log(`\n  !!! issue 9 goals NOT MET yet in Chromium (pending):\n    ${notMet.join('\n    ')}`);
  if (nowMet.length) console.log(`\n  pending goals met now:\n    ${nowMet.join('\n    ')}`);
});

test.run();
