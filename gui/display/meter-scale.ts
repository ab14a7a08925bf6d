/**
 * The loudness meter scales of EBU Tech 3341 (§ 2.4, "EBU Mode" meters): a relative scale in LU around the
 * R 128 target of −23 LUFS, shown here in absolute LUFS (the plugin matches to a reference, not to −23, so
 * absolute values read more directly).
 *
 *   "EBU +9 scale":  −18 LU .. +9 LU   =  −41 .. −14 LUFS, labelled every 3 LU
 *   "EBU +18 scale": −36 LU .. +18 LU  =  −59 .. −5 LUFS, labelled every 6 LU
 *
 * Pure (no DOM): the meter, the history graph and the tests share it. Nothing here allocates per reading except
 * `scaleRange` / `scaleTicks`, which are meant for render time, not for the 25 Hz update path.
 */

export type ScaleName = 'ebu9' | 'ebu18';

/** EBU R 128 target level, LUFS: 0 LU on both scales. */
export const TARGET_LUFS = -23;

interface ScaleDef {
  readonly below: number; // LU below the target at the bottom of the scale
  readonly above: number; // LU above the target at the top
  readonly step: number; // LU between labelled ticks
}

const SCALES: Readonly<Record<ScaleName, ScaleDef>> = {
  ebu9: { below: 18, above: 9, step: 3 },
  ebu18: { below: 36, above: 18, step: 6 },
};

export const SCALE_NAMES: readonly ScaleName[] = ['ebu9', 'ebu18'];

/** Short names for a scale selector. */
export const SCALE_LABELS: Readonly<Record<ScaleName, string>> = { ebu9: 'EBU +9', ebu18: 'EBU +18' };

export function isScaleName(x: unknown): x is ScaleName {
  return x === 'ebu9' || x === 'ebu18';
}

/** An unknown name (e.g. a mistyped attribute) falls back to the +9 scale rather than breaking the meter. */
function def(name: ScaleName): ScaleDef {
  return SCALES[name] ?? SCALES.ebu9;
}

/** Bottom and top of the scale, LUFS. */
export function scaleRange(name: ScaleName): { min: number; max: number } {
  const d = def(name);
  return { min: TARGET_LUFS - d.below, max: TARGET_LUFS + d.above };
}

/** LU between labelled ticks: 3 on the +9 scale, 6 on the +18 scale. */
export function scaleStep(name: ScaleName): number {
  return def(name).step;
}

/** LUFS values of the labelled ticks, bottom to top, both ends included (ten on either scale). */
export function scaleTicks(name: ScaleName): number[] {
  const d = def(name);
  const ticks: number[] = [];
  for (let lu = -d.below; lu <= d.above; lu += d.step) ticks.push(TARGET_LUFS + lu);
  return ticks;
}

/**
 * Where the top zone of the scale begins, LUFS: the last tick step below the top (−17 on +9, −11 on +18).
 * A bar reaching into it is close to running off the scale, so the meter tints that part with the warning colour.
 */
export function scaleWarnFrom(name: ScaleName): number {
  const d = def(name);
  return TARGET_LUFS + d.above - d.step;
}

/**
 * Height of a bar for `lufs` as a fraction of the scale, 0 at the bottom, 1 at the top, clamped.
 * Silence or no measurement yet (−Infinity, NaN) is an empty bar. Allocation-free (25 Hz path).
 */
export function levelToFraction(lufs: number, name: ScaleName): number {
  if (!(lufs > -Infinity)) return 0; // NaN and −∞
  const d = def(name);
  const f = (lufs - (TARGET_LUFS - d.below)) / (d.below + d.above);
  return f <= 0 ? 0 : f >= 1 ? 1 : f;
}
