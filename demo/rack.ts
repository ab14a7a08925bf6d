/**
 * The effect rack of example 1: plain Web Audio nodes that change loudness a lot, each stage with an on/off
 * switch, so the LevelMatch match instance after it has work to do.
 *
 *   input -> Drive -> Compressor -> EQ tilt -> Output gain -> output
 *
 * - Drive: a gain of 0..+30 dB into a tanh curve (4x oversampled), then half of the drive taken back off: quiet
 *   passages come out drive/2 dB louder, loud ones are flattened, so the stage makes things louder and denser.
 * - Compressor: DynamicsCompressorNode (threshold, ratio; 6 dB knee, 5 ms attack, 150 ms release) and make-up.
 * - EQ tilt: a low shelf and a high shelf at 650 Hz moving in opposite directions by half the tilt each.
 *   K-weighting counts highs more than lows, so a bright tilt reads louder.
 * - Output gain: -24..+24 dB.
 *
 * With the defaults the rack makes the built-in programme louder by about 5.5 LU in the chorus, 8 in the build,
 * 11 in the verse and 14 in the breakdown (short-term, measured through the match instance's readouts): the drive
 * and the compressor's make-up lift quiet passages the most, as they do on real material. Every stage switches
 * with a short crossfade between its dry and processed paths; parameters glide. Main thread only.
 */
import { PowerButton, Slider, dbToGain, glide, h } from './controls.ts';

/** The largest drive (linear) the tanh curve covers: 30 dB. */
const MAX_DRIVE = dbToGain(30);
const CURVE_POINTS = 8193;
const TILT_HZ = 650;

/** A stage: input -> (processing) -> output, with a dry path beside it; crossfaded on and off. */
class Stage {
  readonly input: GainNode;
  readonly output: GainNode;
  readonly wet: GainNode;
  private readonly dry: GainNode;
  private readonly ctx: BaseAudioContext;

  /** `first` and `last` are the processing chain's ends. */
  constructor(ctx: BaseAudioContext, first: AudioNode, last: AudioNode, on: boolean) {
    this.ctx = ctx;
    this.input = new GainNode(ctx);
    this.output = new GainNode(ctx);
    this.wet = new GainNode(ctx, { gain: on ? 1 : 0 });
    this.dry = new GainNode(ctx, { gain: on ? 0 : 1 });
    this.input.connect(first);
    last.connect(this.wet).connect(this.output);
    this.input.connect(this.dry).connect(this.output);
  }

  set on(on: boolean) {
    glide(this.wet.gain, on ? 1 : 0, this.ctx);
    glide(this.dry.gain, on ? 0 : 1, this.ctx);
  }
}

export interface RackDefaults {
  drive: { on: boolean; db: number };
  compressor: { on: boolean; threshold: number; ratio: number; makeup: number };
  tilt: { on: boolean; db: number };
  output: { on: boolean; db: number };
}

export const RACK_DEFAULTS: RackDefaults = {
  drive: { on: true, db: 12 },
  compressor: { on: true, threshold: -30, ratio: 4, makeup: 4 },
  tilt: { on: true, db: 3 },
  output: { on: true, db: 0 },
};

/** The tanh curve over inputs of -1..1 scaled by MAX_DRIVE: the pre-gain (drive / MAX_DRIVE) picks the drive. */
function tanhCurve(): Float32Array<ArrayBuffer> {
  const c = new Float32Array(CURVE_POINTS);
  for (let i = 0; i < CURVE_POINTS; i++) c[i] = Math.tanh(MAX_DRIVE * ((2 * i) / (CURVE_POINTS - 1) - 1));
  return c;
}

export class EffectRack {
  readonly input: GainNode;
  readonly output: GainNode;
  /** The rack's panel: one module per stage. */
  readonly element: HTMLElement;
  private readonly ctx: BaseAudioContext;

  constructor(ctx: BaseAudioContext, d: RackDefaults = RACK_DEFAULTS) {
    this.ctx = ctx;

    // Drive.
    const pre = new GainNode(ctx, { gain: dbToGain(d.drive.db) / MAX_DRIVE });
    const shaper = new WaveShaperNode(ctx, { curve: tanhCurve(), oversample: '4x' });
    const post = new GainNode(ctx, { gain: dbToGain(-d.drive.db / 2) });
    pre.connect(shaper).connect(post);
    const drive = new Stage(ctx, pre, post, d.drive.on);

    // Compressor.
    const comp = new DynamicsCompressorNode(ctx, {
      threshold: d.compressor.threshold, ratio: d.compressor.ratio, knee: 6, attack: 0.005, release: 0.15,
    });
    const makeup = new GainNode(ctx, { gain: dbToGain(d.compressor.makeup) });
    comp.connect(makeup);
    const compressor = new Stage(ctx, comp, makeup, d.compressor.on);

    // EQ tilt.
    const low = new BiquadFilterNode(ctx, { type: 'lowshelf', frequency: TILT_HZ, gain: -d.tilt.db / 2 });
    const high = new BiquadFilterNode(ctx, { type: 'highshelf', frequency: TILT_HZ, gain: d.tilt.db / 2 });
    low.connect(high);
    const tilt = new Stage(ctx, low, high, d.tilt.on);

    // Output gain.
    const out = new GainNode(ctx, { gain: dbToGain(d.output.db) });
    const output = new Stage(ctx, out, out, d.output.on);

    this.input = drive.input;
    drive.output.connect(compressor.input);
    compressor.output.connect(tilt.input);
    tilt.output.connect(output.input);
    this.output = output.output;

    const g = (param: AudioParam, v: number): void => glide(param, v, this.ctx, 0.03);
    this.element = h('div', { class: 'rack-modules' },
      this.module('drive', 'Drive', 'tanh saturation', drive, d.drive.on, [
        new Slider({
          id: 'rack-drive', label: 'Drive', min: 0, max: 30, step: 0.5, value: d.drive.db, unit: 'dB', signed: true,
          onInput: (v) => {
            g(pre.gain, dbToGain(v) / MAX_DRIVE);
            g(post.gain, dbToGain(-v / 2));
          },
        }),
      ]),
      this.module('compressor', 'Compressor', 'with make-up gain', compressor, d.compressor.on, [
        new Slider({
          id: 'rack-threshold', label: 'Threshold', min: -60, max: 0, step: 1, value: d.compressor.threshold, unit: 'dB', digits: 0,
          onInput: (v) => g(comp.threshold, v),
        }),
        new Slider({
          id: 'rack-ratio', label: 'Ratio', min: 1, max: 20, step: 0.5, value: d.compressor.ratio, unit: ':1',
          onInput: (v) => g(comp.ratio, v),
        }),
        new Slider({
          id: 'rack-makeup', label: 'Make-up', min: 0, max: 24, step: 0.5, value: d.compressor.makeup, unit: 'dB', signed: true,
          onInput: (v) => g(makeup.gain, dbToGain(v)),
        }),
      ]),
      this.module('tilt', 'EQ tilt', `dark \u2194 bright, shelves at ${TILT_HZ} Hz`, tilt, d.tilt.on, [
        new Slider({
          id: 'rack-tilt', label: 'Tilt', min: -12, max: 12, step: 0.5, value: d.tilt.db, unit: 'dB', signed: true,
          onInput: (v) => {
            g(low.gain, -v / 2);
            g(high.gain, v / 2);
          },
        }),
      ]),
      this.module('output', 'Output', 'gain', output, d.output.on, [
        new Slider({
          id: 'rack-output', label: 'Gain', min: -24, max: 24, step: 0.5, value: d.output.db, unit: 'dB', signed: true,
          onInput: (v) => g(out.gain, dbToGain(v)),
        }),
      ]),
    );
  }

  /** One module's panel: power button, name, a note, its sliders. */
  private module(key: string, name: string, note: string, stage: Stage, on: boolean, sliders: Slider[]): HTMLElement {
    const m = h('section', { class: 'rack-module', 'data-stage': key, 'aria-label': name });
    const power = new PowerButton(`rack-${key}-on`, name, on, (v) => {
      stage.on = v;
      m.classList.toggle('is-off', !v);
    });
    m.classList.toggle('is-off', !on);
    m.append(h('header', { class: 'rack-module-head' }, power.element), h('p', { class: 'rack-note', text: note }));
    for (const s of sliders) m.append(s.element);
    return m;
  }
}
