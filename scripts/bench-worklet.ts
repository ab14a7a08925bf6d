// Denormal / tiny input in a real AudioWorklet (headless Chromium): an OfflineAudioContext renders 20 s of stereo
// programme at 48 kHz through 8 library meters (host-test/pages/meter-worklet.js, true peak on), with the
// programme as is, scaled to subnormal floats (x 1e-40), to tiny normal floats (x 1e-37, x 1e-30), and silent.
// Each row is the best of REPEATS renders and its ratio to the programme's render in the same run: WebAssembly has
// no flush-to-zero, so before issue 11 the tiny rows cost 27-73x. Part of `npm run bench`; timings belong here.
import { withBenchPage } from './bench-page.ts';

const REPEATS = 3;
const CASES: [string, number][] = [['programme', 1], ['subnormal (x 1e-40)', 1e-40], ['tiny (x 1e-37)', 1e-37], ['tiny (x 1e-30)', 1e-30], ['silence', 0]];

await withBenchPage('worklet', async (page) => {
  // The page's code as plain text: the TypeScript loader would add helpers to a function passed in (not defined there).
  const times = (await page.evaluate(`(async (cases, repeats) => {
    const { programme } = await import('/scripts/programme.mjs');
    const sr = 48000;
    const seconds = 20;
    const [l, r] = programme(sr, seconds, 5);
    async function render(scale) {
      const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: sr * seconds, sampleRate: sr });
      await ctx.audioWorklet.addModule('/host-test/pages/meter-worklet.js');
      const buffer = ctx.createBuffer(2, sr * seconds, sr);
      buffer.getChannelData(0).set(l.map((v) => v * scale));
      buffer.getChannelData(1).set(r.map((v) => v * scale));
      const src = new AudioBufferSourceNode(ctx, { buffer });
      for (let m = 0; m < 8; m++) {
        const node = new AudioWorkletNode(ctx, 'levelmatch-test-meter', {
          numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], channelCount: 2, channelCountMode: 'explicit',
          processorOptions: { channels: 2 },
        });
        src.connect(node).connect(ctx.destination);
      }
      src.start();
      const t0 = performance.now();
      await ctx.startRendering();
      return performance.now() - t0;
    }
    const best = {};
    await render(1); // warm up (compile, tiers)
    for (let k = 0; k < repeats; k++) {
      for (const [name, scale] of cases) best[name] = Math.min(best[name] ?? Infinity, await render(scale));
    }
    return best;
  })(${JSON.stringify(CASES)}, ${REPEATS})`)) as Record<string, number>;
  console.log(`\nChromium AudioWorklet, OfflineAudioContext: 20 s of stereo at 48 kHz through 8 LoudnessMeters (true peak), best of ${REPEATS}`);
  for (const [name] of CASES) {
    console.log(`${`worklet, ${name}`.padEnd(34)} ${times[name]!.toFixed(0).padStart(6)} ms   ${(times[name]! / times.programme!).toFixed(2).padStart(5)} x programme`);
  }
});
