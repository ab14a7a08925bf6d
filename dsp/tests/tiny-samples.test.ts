// The gain stage's handling of tiny samples (dsp/gain-render.ts TINY_BITS): a sample under 1e-30 (-600 dBFS)
// leaves as 0, so that no product is subnormal (x86 assists); every larger sample is multiplied exactly as
// before. Checked on the constant-gain path and on the ramp path, with negative and positive samples on both
// sides of the threshold.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp, instantiateDsp } from '../../lib/wasm.ts';
import { P } from '../../wam/engine-abi.ts';
import { defaultParameterValues } from '../../wam/parameters.ts';

const SR = 48000;
const Q = 128;
const f32 = Math.fround;
/** Just under and over 1e-30 with both signs, a subnormal, a tiny normal, and two ordinary levels; repeated. */
const PATTERN = [f32(0.99e-30), f32(-0.99e-30), f32(1.01e-30), f32(-1.01e-30), 1e-40, 3e-38, f32(0.25), f32(-1e-20)];

async function engine(gainDb: number) {
  const dsp = instantiateDsp(await compileDsp());
  const h = dsp.createEngine(SR, Q);
  dsp.engineSetChannels(h, 2, 2);
  const values = defaultParameterValues();
  values[P.mode] = 1;
  values[P.follow] = 2; // hold: the gain stays where it is set
  values[P.autoLatency] = 0;
  values.forEach((v, slot) => dsp.engineSetParam(h, slot, v));
  dsp.engineSetGain(h, gainDb, 1);
  const mem = dsp.memory.buffer;
  const view = (ptr: number) => new Float32Array(mem, ptr, Q);
  return { dsp, h, input: [0, 1].map((c) => view(dsp.engineInput(h, c))), output: [0, 1].map((c) => view(dsp.engineOutput(h, c))) };
}

function fill(x: Float32Array[]): void {
  for (const ch of x) for (let i = 0; i < Q; i++) ch[i] = PATTERN[i % PATTERN.length];
}

test('constant gain (+6 dB): samples under 1e-30 leave as 0, the others as x * g in f32', async () => {
  const e = await engine(6);
  for (let q = 0; q < 3; q++) {
    fill(e.input);
    e.dsp.engineProcess(e.h, Q, 0);
  }
  const g = f32(10 ** (6 / 20));
  for (let i = 0; i < PATTERN.length; i++) {
    const x = PATTERN[i];
    const want = Math.abs(x) < 1e-30 ? 0 : f32(x * g);
    assert.ok(Math.abs(e.output[0][i] - want) <= Math.abs(want) * 1e-6, `sample ${x}: ${e.output[0][i]}, want ${want}`);
    if (want === 0) assert.is(e.output[0][i], 0, `sample ${x} gives exactly 0`);
  }
});

test('gain ramp (0 -> -12 dB): samples under 1e-30 leave as 0, the others move with the ramp', async () => {
  const e = await engine(0);
  fill(e.input);
  e.dsp.engineProcess(e.h, Q, 0);
  e.dsp.engineSetGain(e.h, -12, 0); // glides: the ramp path
  fill(e.input);
  e.dsp.engineProcess(e.h, Q, 0);
  let ramped = 0;
  for (let i = 0; i < Q; i++) {
    const x = PATTERN[i % PATTERN.length];
    const y = e.output[1][i];
    if (Math.abs(x) < 1e-30) assert.is(y, 0, `frame ${i}: sample ${x} gives ${y}`);
    else {
      const g = y / x;
      assert.ok(g < 1 && g > 10 ** (-12 / 20) * 0.999, `frame ${i}: sample ${x} gives ${y} (gain ${g})`);
      if (g < 1 - 1e-6) ramped++;
    }
  }
  assert.ok(ramped > 0, 'the ramp moved the gain within the quantum');
});

test.run();
