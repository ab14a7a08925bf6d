// The gain law in the field (issue 9) in real Chromium, with Web Audio's own nodes as the effects: the built
// plugin hosted as a WAM in OfflineAudioContexts (host-test/pages/field-host.js), on the field set's own
// programmes, measured by the field set's own evaluate() with the library's meter (host-test/field/), so the
// numbers compare one to one with the headless host's (host-test/plugin/field.test.ts, `npm run evaluate`).
//
// The goals at the defaults are asserted as stated. A goal that the current gain law does not meet
// yet in Chromium is not loosened here: it is listed in PENDING with the number measured when it was written,
// the test prints it as NOT MET on every run and asserts only that it gets no worse, and says when it is met
// (then remove it from PENDING).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserSession, REPO_ROOT } from './browser-session.ts';

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

interface Metrics {
  within05: number; within1: number; meanError: number; worstError: number; integratedError: number;
  settle: number[]; freshError: number; freshGain?: number; burst: number; truePeakOver: number; gainStd: number;
}
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
 * (main at eca88c3; the headless host measures the same scenarios within a few tenths: speech + compressor
 * I +0.63 LU, M at 1 s -6.1 LU; target speech 62 %, mean 0.96 LU; target music 83 %; the transient
 * compressor's M at 1 s +1.06 LU there).
 */
const PENDING: Record<string, number> = {
  'compressor, transients pass | fresh within 1 LU at 1 s': 1.71,
  'speech, compressor + tilt | integrated within 0.3 LU': 0.76,
  'speech, compressor + tilt | fresh within 1 LU at 1 s': -4.87,
  // Speech in target mode: since the short-term detector gates pauses (issue 9, dsp/gain-law.ts) the output's
  // integrated loudness sits at the target (+1.19 -> -0.08 LU in the headless host), but the ungated short-term
  // this share reads falls over every pause: 62 % -> 38 %, mean 0.96 -> 1.42 LU.
  'target, speech with pauses | within 1 LU >= 85 %': 0.38,
  'target, speech with pauses | mean error < 0.7 LU': 1.42,
};

const rows: string[] = [];
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

const SETTLE_S = 2;
const MATCH: Spec[] = [
  { name: 'GainNode +12 / -12 dB moves', mode: 'match', programme: 'song', effect: { kind: 'gain', dB: 0, moves: [[6, 12], [18, 0], [30, -12]] }, moves: [6, 18, 30] },
  { name: 'compressor, transients pass', mode: 'match', programme: 'song', effect: { kind: 'transientComp' }, params: { maxBoost: 30 } },
  { name: 'compressor + 14 dB make-up', mode: 'match', programme: 'song', effect: { kind: 'overshootComp' } },
  { name: 'WaveShaper saturation', mode: 'match', programme: 'song', effect: { kind: 'saturation' } },
  { name: 'Biquad EQ tilt', mode: 'match', programme: 'song', effect: { kind: 'tilt' } },
  { name: 'speech, compressor + tilt', mode: 'match', programme: 'speech', effect: { kind: 'compTilt' }, params: { maxBoost: 30 } },
  { name: 'fresh behind GainNode +12 dB', mode: 'match', programme: 'song', effect: { kind: 'gain', dB: 12 } },
];

for (const s of MATCH) {
  t(`Chromium, match, ${s.name}: I within 0.3 LU; each level jump settled within ${SETTLE_S} s; fresh start within 1 LU (M) at 1 s`, async () => {
    const r = await run(s);
    const m = r.metrics;
    rows.push(`${s.name.padEnd(30)} ${f(m.integratedError).padStart(6)} ${m.settle.map((x) => f(x, 1)).join('/').padStart(18)} ${f(m.freshError).padStart(6)} ${f(m.burst).padStart(6)} ` +
      `${(m.within1 * 100).toFixed(0).padStart(4)}% ${f(m.meanError).padStart(5)} ${f(m.truePeakOver).padStart(6)}`);
    assert.is(r.nonFinite, 0);
    assert.ok(r.readouts >= 20 * r.seconds, `readouts ${r.readouts}`);
    goal(s.name, 'integrated within 0.3 LU', m.integratedError, (v) => Math.abs(v) <= 0.3, (v, was) => Math.abs(v) > Math.abs(was) + 0.2, `I(out) - I(ref) ${f(m.integratedError)} LU`);
    const worstSettle = Math.max(0, ...m.settle);
    goal(s.name, `settle within ${SETTLE_S} s`, worstSettle, (v) => v <= SETTLE_S, (v, was) => v > was + 0.5, `settle after the jumps at ${r.jumps.join(', ')} s: ${m.settle.map((x) => f(x, 2)).join(', ')} s`);
    // Every programme sounds at 1 s (NaN would mean the reference is under the gate then: not a pass).
    assert.ok(Number.isFinite(m.freshError), `fresh error ${m.freshError}`);
    goal(s.name, 'fresh within 1 LU at 1 s', m.freshError, (v) => Math.abs(v) <= 1, (v, was) => Math.abs(v) > Math.abs(was) + 0.5, `M(out) - M(ref) at 1 s ${f(m.freshError)} LU, burst ${f(m.burst)} LU`);
    assert.equal(session.problems, []);
  });
}

const TARGET: Spec[] = [
  { name: 'target, music 4 x 15 s sections', mode: 'target', programme: 'sections' },
  { name: 'target, speech with pauses', mode: 'target', programme: 'speech' },
  { name: 'target, sharp transients', mode: 'target', programme: 'transients' },
];

for (const s of TARGET) {
  t(`Chromium, ${s.name}: within 1 LU of -18 >= 85 % after 2 s, mean error < 0.7 LU, true peak <= ceiling + 0.1 dB, fresh gain within 1 dB at 1 s`, async () => {
    const r = await run(s);
    const m = r.metrics;
    rows.push(`${s.name.padEnd(30)} ${f(m.integratedError).padStart(6)} ${m.settle.map((x) => f(x, 1)).join('/').padStart(18)} ${f(m.freshError).padStart(6)} ${f(m.burst).padStart(6)} ` +
      `${(m.within1 * 100).toFixed(0).padStart(4)}% ${f(m.meanError).padStart(5)} ${f(m.truePeakOver).padStart(6)}`);
    assert.is(r.nonFinite, 0);
    assert.is(r.parameters.target, -18);
    assert.is(r.parameters.ceilingOn, 1);
    goal(s.name, 'within 1 LU >= 85 %', m.within1, (v) => v >= 0.85, (v, was) => v < was - 0.05, `within 1 LU ${f(m.within1 * 100, 0)} % of the time after 2 s`);
    goal(s.name, 'mean error < 0.7 LU', m.meanError, (v) => v < 0.7, (v, was) => v > was + 0.2, `mean |S(out) - target| ${f(m.meanError)} LU (worst ${f(m.worstError)})`);
    goal(s.name, 'true peak <= ceiling + 0.1 dB', m.truePeakOver, (v) => v <= 0.1, (v, was) => v > was + 0.1, `true peak (4x) ${f(m.truePeakOver)} dB over the ${r.parameters.ceiling} dBTP ceiling`);
    if (s.programme !== 'speech') assert.ok(Number.isFinite(m.freshError), `fresh error ${m.freshError}`);
    // (Speech: the 40 ms window at 1 s, where evaluate() reads the applied gain, may fall in a pause: NaN.)
    // The gain's own part (against the input times the ideal gain of its opening: metrics.ts freshGain).
    const fresh = m.freshGain ?? m.freshError;
    if (Number.isFinite(fresh)) goal(s.name, 'fresh gain within 1 dB at 1 s', fresh, (v) => Math.abs(v) <= 1, (v, was) => Math.abs(v) > Math.abs(was) + 0.5, `gain error at 1 s ${f(fresh)} dB`);
    assert.equal(session.problems, []);
  });
}

test.after(() => {
  if (rows.length === 0) return;
  console.log(`\n  the gain law in Chromium (Web Audio nodes), measured with the library meter:\n` +
    `  ${'scenario'.padEnd(30)} ${'dI LU'.padStart(6)} ${'settle s'.padStart(18)} ${'M@1s'.padStart(6)} ${'burst'.padStart(6)} ${'<1LU'.padStart(5)} ${'mean'.padStart(5)} ${'TP-ceil'.padStart(6)}\n  ${rows.join('\n  ')}`);
  if (notMet.length) console.log(`\n  !!! issue 9 goals NOT MET yet in Chromium (pending):\n    ${notMet.join('\n    ')}`);
  if (nowMet.length) console.log(`\n  pending goals met now:\n    ${nowMet.join('\n    ')}`);
});

test.run();
