// The library in a real browser (headless Debian Chromium): on a page's main thread, and inside an
// AudioWorkletGlobalScope rendering an OfflineAudioContext, where there is no fetch, atob or TextDecoder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserSession } from './browser-session.ts';
import { LoudnessMeter } from '../lib/index.ts';
import type { LoudnessResult } from '../lib/types.ts';

const { t, session } = browserSession();

/** The same -23 dBFS 1 kHz stereo sine, 20 s at 48 kHz, metered in 128-frame pushes: runs in Node or a session.page. */
async function meterSine(Meter: typeof LoudnessMeter): Promise<LoudnessResult> {
  const sr = 48000;
  const x = new Float32Array(sr * 20);
  for (let i = 0; i < x.length; i++) x[i] = 10 ** (-23 / 20) * Math.sin((2 * Math.PI * 1000 * i) / sr);
  const meter = await Meter.create({ sampleRate: sr, channels: 2 });
  for (let o = 0; o < x.length; o += 128) meter.push([x.subarray(o, o + 128), x.subarray(o, o + 128)]);
  return meter.result();
}

t('on a page: the same numbers as in Node, to the last bit', async () => {
  const inBrowser = await session.page.evaluate(async (source) => {
    const { LoudnessMeter: Meter } = await import('/dist/index.js' as string);
    const fn = new Function(`return (${source})`)();
    return fn(Meter);
  }, meterSine.toString());
  const inNode = await meterSine(LoudnessMeter);
  assert.ok(Math.abs(inBrowser.integrated + 23) < 0.1, `integrated ${inBrowser.integrated}`);
  for (const k of ['momentary', 'shortTerm', 'integrated', 'momentaryMax', 'shortTermMax', 'truePeak', 'samplePeak'] as const) {
    assert.is(inBrowser[k], inNode[k], k);
  }
  assert.equal(session.problems, []);
});

t('in an AudioWorklet rendering an OfflineAudioContext', async () => {
  const { frames, result } = await session.page.evaluate(async () => {
    const sr = 48000;
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: sr * 10, sampleRate: sr });
    await ctx.audioWorklet.addModule('/host-test/pages/meter-worklet.js');
    const osc = new OscillatorNode(ctx, { frequency: 1000 });
    const gain = new GainNode(ctx, { gain: 10 ** (-23 / 20) });
    const node = new AudioWorkletNode(ctx, 'levelmatch-test-meter', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      processorOptions: { channels: 2, reportAtFrame: sr * 10 - 128 },
    });
    const report = new Promise<{ frames: number; result: LoudnessResult }>((resolve) => {
      node.port.onmessage = (e) => resolve(e.data);
    });
    osc.connect(gain).connect(node).connect(ctx.destination);
    osc.start();
    await ctx.startRendering();
    return report;
  });
  assert.ok(frames >= 480000 - 128, `frames ${frames}`);
  // A mono oscillator up-mixed to both channels at -23 dBFS peak: EBU Tech 3341 test 1.
  assert.ok(Math.abs(result.integrated + 23) < 0.1, `integrated ${result.integrated}`);
  assert.ok(Math.abs(result.shortTerm + 23) < 0.1, `short-term ${result.shortTerm}`);
  assert.ok(Math.abs(result.truePeak + 23) < 0.1, `true peak ${result.truePeak}`);
  assert.is(result.nonFinite, 0);
  assert.equal(session.problems, []);
});

test.run();
