/**
 * Shared settings of the property-based fuzz tests (fast-check). Every property runs with a fixed seed, printed
 * with it, so a failure in CI reproduces exactly: FUZZ_SEED=<seed> node scripts/test.mjs fuzz/<file>.
 * FUZZ_SCALE multiplies every property's run count: 1 in `npm test` (all of fuzz/ in well under a minute),
 * larger in `npm run fuzz` (scripts/fuzz.mjs) for long local runs, which can also draw new seeds (FUZZ_SEED=random).
 */
import fc from 'fast-check';

export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** A stable default seed per property name (FNV-1a), so adding a property does not move the others. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** fast-check parameters for property `name`, at `runs` runs times FUZZ_SCALE; prints the seed. */
export function fuzzParams(name: string, runs: number): { seed: number; numRuns: number; endOnFailure: boolean; includeErrorInReport: boolean } {
  const env = process.env.FUZZ_SEED;
  const seed = env === undefined ? seedOf(name) : env === 'random' ? (Math.random() * 2 ** 32) | 0 : Number(env);
  const numRuns = Math.max(1, Math.round(runs * FUZZ_SCALE));
  console.log(`  fuzz "${name}": seed ${seed}, ${numRuns} runs`);
  return { seed, numRuns, endOnFailure: true, includeErrorInReport: true };
}

/** f32 values from every corner: zeros, subnormals, tiny, ordinary, huge up to the float maximum, NaN, infinities. */
export const extremeSample: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.float({ min: -1, max: 1, noNaN: true }) },
  { weight: 2, arbitrary: fc.float() }, // any f32, NaN and infinities included
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-45, -1e-45, 1e-40, 1.1754942e-38, 1e-37, 1e-30, 1e-20, 3.4028234663852886e38, -3.4028234663852886e38, 2.5e38, 1e30, NaN, Infinity, -Infinity) },
  { weight: 1, arbitrary: fc.integer({ min: -50, max: 38 }).chain((e) => fc.float({ min: Math.fround(10 ** e), max: Math.fround(10 ** (e + 1)), noNaN: true })) },
);

/** A block of audio: runs of one kind (constant, alternating, noise, decaying) so that extreme levels persist. */
export const extremeBlock = (maxFrames: number): fc.Arbitrary<Float32Array> =>
  fc.tuple(fc.integer({ min: 1, max: maxFrames }), fc.constantFrom('noise', 'constant', 'alternating', 'decay'), extremeSample, fc.array(extremeSample, { minLength: 1, maxLength: 64 }))
    .map(([n, kind, level, pool]) => {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = kind === 'constant' ? level
          : kind === 'alternating' ? (i & 1 ? level : -level)
          : kind === 'decay' ? level * Math.exp(-i / 8) * (i & 1 ? 1 : -1)
          : pool[i % pool.length]!;
      }
      return x;
    });
