// Reading the worklet clock in headless Chromium (issue 16): why wam/processor.ts reads `currentFrame` through
// the scope's getter, found once on its prototype chain (scopeClock), and not as a global. An OfflineAudioContext
// renders 6 s through 256 pass-through AudioWorkletNodes, whose process() reads the clock ten times per quantum
// as a global, ten times through the cached getter, or not at all. Each render is the best of REPEATS (the
// machine is shared: noise is one-sided); a read's cost is the difference over 10 x nodes x quanta reads,
// beside the pass-through's own cost per node and quantum. Part of `npm run bench`; timings belong here.
import { withBenchPage } from './bench-page.ts';

const REPEATS = 4;
const NODES = 256;
const SECONDS = 6;

await withBenchPage('clock', async (page, browser) => {
  // The page's code as plain text: the TypeScript loader would add helpers to a function passed in.
  const best = (await page.evaluate(`(async (nodes, seconds, repeats) => {
    const code = [
      "const copy = (i, o) => { const a = i[0], b = o[0]; for (let c = 0; c < b.length; c++) if (a[c]) b[c].set(a[c]); };",
      "let get = null;",
      "for (let o = globalThis; o !== null && get === null; o = Object.getPrototypeOf(o)) { const d = Object.getOwnPropertyDescriptor(o, 'currentFrame'); if (d) get = d.get ?? (() => globalThis.currentFrame); }",
      "registerProcessor('clock-none', class extends AudioWorkletProcessor { process(i, o) { copy(i, o); return true; } });",
      "registerProcessor('clock-global', class extends AudioWorkletProcessor { constructor() { super(); this.f = new Float64Array(1); } process(i, o) { for (let k = 0; k < 10; k++) this.f[0] = currentFrame; copy(i, o); return true; } });",
      "registerProcessor('clock-getter', class extends AudioWorkletProcessor { constructor() { super(); this.f = new Float64Array(1); } process(i, o) { for (let k = 0; k < 10; k++) this.f[0] = get.call(globalThis); copy(i, o); return true; } });",
    ].join('\\n');
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const best = {};
    for (let r = 0; r < repeats; r++) {
      for (const name of ['clock-none', 'clock-global', 'clock-getter']) {
        const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 48000 * seconds, sampleRate: 48000 });
        await ctx.audioWorklet.addModule(url);
        const src = new OscillatorNode(ctx);
        const sum = new GainNode(ctx, { gain: 1 / nodes });
        for (let n = 0; n < nodes; n++) src.connect(new AudioWorkletNode(ctx, name, { outputChannelCount: [2] })).connect(sum);
        sum.connect(ctx.destination);
        src.start();
        const t0 = performance.now();
        await ctx.startRendering();
        const ms = performance.now() - t0;
        best[name] = Math.min(best[name] ?? Infinity, ms);
      }
    }
    return best;
  })(${NODES}, ${SECONDS}, ${REPEATS})`)) as Record<string, number>;
  const nodeQuanta = NODES * Math.floor((48000 * SECONDS) / 128);
  const floor = (best['clock-none'] * 1000) / nodeQuanta;
  const perRead = (name: string) => ((best[name] - best['clock-none']) * 1000) / (10 * nodeQuanta);
  console.log(`\nReading the worklet clock (Chromium ${browser.version()}, ${NODES} pass-through nodes, ${SECONDS} s, best of ${REPEATS}; wall clock)`);
  console.log(`pass-through node, no clock read   ${floor.toFixed(3)} µs per node per quantum`);
  for (const [name, label] of [['clock-global', 'currentFrame read as a global'], ['clock-getter', 'through the cached getter']] as const) {
    const us = perRead(name);
    console.log(`${label.padEnd(34)} ${us.toFixed(3)} µs per read   ${((100 * us) / floor).toFixed(1)} % of the node's own cost`);
  }
});
