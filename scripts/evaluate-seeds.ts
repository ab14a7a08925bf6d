// `npm run evaluate:seeds`: the field set's hardest match scenario, speech through an 8:1 compressor and a tilt,
// on other speech than the field set's own (`speech(48000, 30, seed)`, seeds 5 .. 17 unless given as
// `-- 5,9,10`), through the BUILT plugin in the headless host. Prints I(out) - I(ref), LU, per seed for the plugin,
// for the field set's one-pole ride, and for the forgetting follower (host-test/field/follower.ts) at three
// memories: what the simplest causal estimate scores on the same recording, so a reader sees which part of the
// plugin's error is the chain's and which the gain law's (README, "the speech chain on other seeds").
import { SCENARIOS, FS } from '../host-test/field/scenarios.ts';
import { speech, type Planar } from '../host-test/field/programmes.ts';
import { runScenario } from '../host-test/field/run.ts';
import { forgettingFollower } from '../host-test/field/follower.ts';
import { integrated as integratedAt } from '../host-test/field/metrics.ts';

const Q = 128;
const MEMORIES = [0.5, 1.5, 6];
const chain = SCENARIOS.find((s) => s.name.startsWith('match: speech'));
if (!chain) throw new Error('the field set has no speech chain scenario');
const seeds = process.argv[2] ? process.argv[2].split(',').map(Number) : Array.from({ length: 13 }, (_, k) => 5 + k);
const integrated = (p: Planar): number => integratedAt(p, FS);

const rows = new Map<string, number[]>();
const add = (label: string, value: number): void => {
  rows.set(label, [...(rows.get(label) ?? []), value]);
};
for (const seed of seeds) {
  const run = await runScenario({ ...chain, programme: () => speech(FS, 30, seed) }, FS);
  const ref = integrated(run.reference);
  add('levelmatch', integrated(run.output) - ref);
  add('one-pole', integrated(run.plain) - ref);
  for (const m of MEMORIES) add(`follower ${m} s`, integrated(forgettingFollower(run.reference, run.input, FS, Q, m)) - ref);
}

console.log(`${chain.name}, speech(${FS}, 30, seed): I(out) - I(ref), LU`);
console.log(`${'seed'.padEnd(16)}${seeds.map((s) => String(s).padStart(7)).join('')}      mean   min .. max`);
for (const [label, v] of rows) {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const fmt = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(2);
  console.log(`${label.padEnd(16)}${v.map((x) => fmt(x).padStart(7)).join('')}   ${fmt(mean).padStart(7)}   ${fmt(Math.min(...v))} .. ${fmt(Math.max(...v))}`);
}
