// Many LevelMatch instances in headless Chromium (issue 16): OfflineAudioContext sessions of 64, 128, 256 and 512
// instances (7/16 linked pairs -- half references, half matches, on 16 links -- and 1/8 target instances; stereo,
// 48 kHz, 128-frame quanta), each beside the same graph with a pass-through AudioWorklet in every plugin's place
// (the floor of any worklet plugin), in the same run. Then, at 256, each role's cost from graphs where only that
// role is the plugin, and the cost with every instance watched (a readout listener each, as open GUIs add).
// Rows: x real time, µs per instance per quantum, and ratios against the floor. Timings belong here, never in
// tests. Run with `npm run bench` (after the Node rows), i.e. `node --import tsx scripts/bench-scale.ts`.
import { launchChromium, chromiumAvailable, CHROMIUM_PATH } from '../host-test/browser.ts';
import { serveStatic } from '../host-test/static-server.ts';
import { REPO_ROOT } from '../host-test/browser-session.ts';

const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 2);
/**
 * Seconds rendered before the timed part: the steady state of a running session is timed, after every match
 * instance has found its latency (~1.5 s) and its detector rests. The start-up row times the first seconds.
 */
const WARM = Number(process.env.BENCH_SCALE_WARM ?? 3);
/** Each configuration is rendered this many times and the fastest kept (the machine is shared: noise is one-sided). */
const REPEATS = Number(process.env.BENCH_SCALE_REPEATS ?? 3);
const SIZES = (process.env.BENCH_SCALE_SIZES ?? '64,128,256,512').split(',').map(Number);
/** Instances of the per-role runs. */
const ROLE_SIZE = Number(process.env.BENCH_SCALE_ROLE_SIZE ?? 256);

if (!chromiumAvailable()) {
  console.log(`\n(Chromium rows not measured: no Chromium at ${CHROMIUM_PATH})`);
  process.exit(0);
}

type Roles = Partial<Record<'reference' | 'match' | 'target', 'plugin' | 'pass'>>;
interface Timing { ms: number; quanta: number; errors: string[] }

const server = await serveStatic(REPO_ROOT);
const browser = await launchChromium();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url.replace(/\/$/, '')}/host-test/pages/blank.html`);
  const once = (pairs: number, targets: number, roles: Roles, watch: boolean, warm: number): Promise<Timing> =>
    page.evaluate((a) => import('/host-test/pages/scale-host.js' as string).then((m) => m.timeSession(a)),
      { pairs, targets, seconds: SECONDS, warm, roles, watch }) as Promise<Timing>;
  const time = async (pairs: number, targets: number, roles: Roles, watch = false, warm = WARM): Promise<Timing> => {
    let best: Timing | null = null;
    for (let r = 0; r < REPEATS; r++) {
      const t = await once(pairs, targets, roles, watch, warm);
      if (best === null || t.ms < best.ms) best = t;
    }
    return best!;
  };
  const PASS: Roles = { reference: 'pass', match: 'pass', target: 'pass' };
  const shape = (n: number) => ({ pairs: Math.round((n * 7) / 16), targets: n / 8 });
  const usPer = (t: Timing, instances: number) => (t.ms * 1000) / (instances * t.quanta);
  const xrt = (t: Timing) => (SECONDS * 1000) / t.ms;

  await time(16, 4, {}); // warm-up (JIT tiers, module compile caches)
  await time(16, 4, PASS);

  console.log(`\nChromium (${browser.version()}), OfflineAudioContext, stereo 48 kHz, ${SECONDS} s timed after ${WARM} s rendered, best of ${REPEATS}; floor = pass-through AudioWorklet in every plugin's place`);
  console.log('instances  (pairs+targets)    plugin: x real time  µs/inst/quantum    floor: x real time  µs/inst/quantum    plugin / floor');
  const perSize = new Map<number, { plugin: Timing; floor: Timing }>();
  for (const n of SIZES) {
    const { pairs, targets } = shape(n);
    const count = 2 * pairs + targets;
    const floor = await time(pairs, targets, PASS);
    const plugin = await time(pairs, targets, {});
    perSize.set(n, { plugin, floor });
    if (plugin.errors.length > 0) console.log(`  (engine errors: ${plugin.errors.length}, first: ${plugin.errors[0]})`);
    console.log(`${String(count).padStart(9)}  (${pairs}x2+${targets})`.padEnd(28) +
      `${xrt(plugin).toFixed(2).padStart(18)}  ${usPer(plugin, count).toFixed(2).padStart(15)}` +
      `${xrt(floor).toFixed(2).padStart(22)}  ${usPer(floor, count).toFixed(2).padStart(15)}` +
      `${(plugin.ms / floor.ms).toFixed(2).padStart(18)}`);
  }

  // Role costs at ROLE_SIZE: the same graph with only some roles as the plugin. cost(role) = floor per instance +
  // (extra render time when that role becomes the plugin) / (its instances x quanta).
  const { pairs, targets } = shape(ROLE_SIZE);
  const floor = await time(pairs, targets, PASS);
  const refs = await time(pairs, targets, { match: 'pass', target: 'pass' });
  const refsMatches = await time(pairs, targets, { target: 'pass' });
  const all = await time(pairs, targets, {});
  const watched = await time(pairs, targets, {}, true);
  const count = 2 * pairs + targets;
  const f = usPer(floor, count);
  const extra = (a: Timing, b: Timing, n: number) => ((a.ms - b.ms) * 1000) / (n * a.quanta);
  const ref = f + extra(refs, floor, pairs);
  const match = f + extra(refsMatches, refs, pairs);
  const target = f + extra(all, refsMatches, targets);
  console.log(`\nper role at ${count} instances (floor ${f.toFixed(2)} µs per instance per quantum):`);
  console.log(`  reference instance (unwatched)  ${ref.toFixed(2).padStart(6)} µs  ${(ref / f).toFixed(2).padStart(5)} x floor   (goal <= 1.5)`);
  console.log(`  match instance (unwatched)      ${match.toFixed(2).padStart(6)} µs  ${(match / f).toFixed(2).padStart(5)} x floor   (goal <= 3)`);
  console.log(`  target instance (unwatched)     ${target.toFixed(2).padStart(6)} µs  ${(target / f).toFixed(2).padStart(5)} x floor`);
  console.log(`  all ${count}, every one watched   ${usPer(watched, count).toFixed(2).padStart(6)} µs  ${(watched.ms / floor.ms).toFixed(2).padStart(5)} x floor   ${xrt(watched).toFixed(2)} x real time`);
  // The first seconds of a session, when every match instance is still finding its latency (detector running).
  const startPlugin = await time(pairs, targets, {}, false, 0);
  const startFloor = await time(pairs, targets, PASS, false, 0);
  console.log(`  the first ${SECONDS} s of a session (latency detection running): ${usPer(startPlugin, count).toFixed(2).padStart(6)} µs  ${(startPlugin.ms / startFloor.ms).toFixed(2).padStart(5)} x floor   ${xrt(startPlugin).toFixed(2)} x real time`);
  const at256 = perSize.get(256);
  if (at256) console.log(`goal: 256 instances at >= 4 x real time: ${xrt(at256.plugin).toFixed(2)} x (${xrt(all).toFixed(2)} x in the role run)`);
  console.log('(timings on a shared machine: compare ratios within this run only)');
} finally {
  await browser.close();
  await server.close();
}
