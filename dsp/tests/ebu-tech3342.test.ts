/**
 * EBU Tech 3342 loudness range (LRA) tests 1-4: stereo 1 kHz sines in level steps. (Tests 5 and 6 use
 * authentic programme files that cannot be synthesised.) Run at 48 kHz, 44.1 kHz and 96 kHz.
 *
 * The standard's tolerance is +-1 LU. For these step signals the LRA is in principle exact: the 10th and 95th
 * percentiles of the gated short-term values sit on the two plateaux, so a correct meter reads the level
 * difference to within its short-term quantisation. We therefore also assert a tighter bound (TIGHT).
 */
import { suite } from 'uvu';
import * as S from './signals.ts';
import { RATES, Worst, measure, near } from './helpers.ts';

const TOL = 1.0; // LU, Tech 3342
/**
 * Our tighter bound. Measured deviations are below 1e-5 LU at all three rates; 0.05 LU still allows a
 * short-term histogram with bins of up to 0.05 LU.
 */
const TIGHT = 0.05;

const CASES: [number, number[], number][] = [
  // test, 20 s levels in dBFS (peak, per channel), expected LRA
  [1, [-20, -30], 10],
  [2, [-20, -15], 5],
  [3, [-40, -20], 20],
  [4, [-50, -35, -20, -35, -50], 15],
];

for (const fs of RATES) {
  const t = suite(`EBU Tech 3342 @ ${fs} Hz`);
  const w = new Worst(`Tech 3342 @ ${fs} Hz`);
  t.after(() => w.print());

  for (const [n, levels, expected] of CASES) {
    t(`test ${n}: 20 s each at ${levels.join(', ')} dBFS -> LRA ${expected} +-1 LU (and +-${TIGHT})`, async () => {
      const p = S.inPhaseStereo(S.toneSequence(fs, 1000, levels.map((db) => ({ seconds: 20, db }))));
      const r = await measure(fs, p, 4096);
      near(w, 'LRA (standard +-1)', r.range, expected, TOL, `test ${n} LRA`);
      near(null, '', r.range, expected, TIGHT, `test ${n} LRA (tight bound)`);
    });
  }

  t.run();
}
