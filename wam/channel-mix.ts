/**
 * The input mixing of channelCountMode 'explicit' with channelInterpretation 'speakers', done by the processor
 * instead of the browser (issue 16; AUDIO THREAD: ChannelShaper.shape runs in process()).
 *
 * Why: LevelMatch's inputs are meant to carry exactly `channels` channels, whatever is connected (a mono track into
 * a stereo instance reads as the dual mono a listener hears, L = R = M). 'explicit' mode gives that, but Chromium
 * then routes every input through a summing bus of its own: the connected output is copied into it, and the
 * unconnected sidechain input's bus is zeroed, `channels` channels each, every quantum. In 'max' mode a single
 * connection hands its bus over as it is and an unconnected input zeroes one channel. Measured in headless
 * Chromium 156 (256 instances in one session, the mode switched every 1 s or 0.5 s, so that each pair of segments
 * runs under the same load): 'max' took 3.4 % and 4.0 % less CPU for the whole render (medians of 8 and 16 pairs;
 * README "Speed at scale", round 15). So the node runs in 'max' mode and presents
 * 'explicit' to the host (node.ts), and the processor mixes the rare input whose channel count differs.
 *
 * The rules, Web Audio API 1.0 §"Channel Up-Mixing and Down-Mixing" (speakers; layouts 1 M, 2 L R, 4 L R SL SR,
 * 6 L R C LFE SL SR; any other pair of counts mixes as 'discrete': the first channels, silence for the rest):
 *   up:   1->2 L = R = M; 1->4 L = R = M, SL = SR = 0; 1->6 C = M; 2->4 and 2->6 L, R, the rest 0;
 *         4->6 L, R, C = LFE = 0, SL, SR
 *   down: 2->1 M = 0.5 (L + R); 4->1 M = 0.25 (L + R + SL + SR); 6->1 M = sqrt(1/2) (L + R) + C + 0.5 (SL + SR);
 *         4->2 L = 0.5 (L + SL), R = 0.5 (R + SR); 6->2 L = L + sqrt(1/2) (C + SL), R = R + sqrt(1/2) (C + SR);
 *         6->4 L = L + sqrt(1/2) C, R = R + sqrt(1/2) C, SL, SR.
 * Up-mixes and discrete mixes compute nothing: an output channel is one of the input's arrays or a shared array of
 * zeros (nothing downstream writes into an input). Down-mixes are computed into buffers of the shaper's own.
 * Chromium sums in float32 and its order of additions is its own: a down-mix may differ from Chromium's in the last
 * bit of a sample (at most 6e-8 on samples below 1 in the browser test), far below any reading's resolution.
 */

const HALF_POWER = Math.SQRT1_2;

export class ChannelShaper {
  /** The channel count every connected input is shaped to. */
  readonly channels: number;
  private frames = 0;
  private zeros = new Float32Array(0);
  /** Per input: the shaped channels handed out, and the down-mix buffers behind them. */
  private readonly shaped: Float32Array[][] = [];
  private readonly mixed: Float32Array[][] = [];
  /** The inputs array handed out when some input was shaped (its entries are replaced, the array is reused). */
  private readonly inputs: Float32Array[][] = [];

  constructor(channels: number) {
    this.channels = channels;
  }

  /**
   * `inputs` as 'explicit' mode would have delivered them: the array itself when every connected input already
   * has `channels` channels (the usual case: nothing is done), otherwise an array of this shaper's whose shaped
   * inputs are valid until the next call. An unconnected input (no channels) stays as it is, as in every mode.
   * Allocates only when the quantum's length changes (the first call included) or more inputs appear.
   */
  shape(inputs: Float32Array[][]): Float32Array[][] {
    const n = this.channels;
    let same = true;
    for (let k = 0; k < inputs.length; k++) {
      const c = inputs[k].length;
      if (c !== 0 && c !== n) same = false;
    }
    if (same) return inputs;
    const out = this.inputs;
    out.length = inputs.length;
    for (let k = 0; k < inputs.length; k++) {
      const input = inputs[k];
      out[k] = input.length === 0 || input.length === n ? input : this.shapeOne(k, input);
    }
    return out;
  }

  private shapeOne(k: number, input: Float32Array[]): Float32Array[] {
    const frames = input[0].length;
    if (frames !== this.frames) this.resize(frames);
    while (this.shaped.length <= k) {
      this.shaped.push(new Array<Float32Array>(this.channels).fill(this.zeros));
      this.mixed.push(Array.from({ length: this.channels }, () => new Float32Array(this.frames)));
    }
    const d = this.shaped[k];
    const m = this.mixed[k];
    const z = this.zeros;
    const from = input.length;
    const to = this.channels;
    const x = input;
    if (from === 1 && to === 2) {
      d[0] = x[0]; d[1] = x[0];
    } else if (from === 1 && to === 4) {
      d[0] = x[0]; d[1] = x[0]; d[2] = z; d[3] = z;
    } else if (from === 1 && to === 6) {
      d[0] = z; d[1] = z; d[2] = x[0]; d[3] = z; d[4] = z; d[5] = z;
    } else if (from === 4 && to === 6) {
      d[0] = x[0]; d[1] = x[1]; d[2] = z; d[3] = z; d[4] = x[2]; d[5] = x[3];
    } else if (from === 2 && to === 1) {
      mixInto(m[0], x[0], 0.5, x[1], 0.5);
      d[0] = m[0];
    } else if (from === 4 && to === 1) {
      const o = m[0];
      for (let i = 0; i < frames; i++) o[i] = 0.25 * (x[0][i] + x[1][i] + x[2][i] + x[3][i]);
      d[0] = o;
    } else if (from === 6 && to === 1) {
      const o = m[0];
      for (let i = 0; i < frames; i++) o[i] = HALF_POWER * (x[0][i] + x[1][i]) + x[2][i] + 0.5 * (x[4][i] + x[5][i]);
      d[0] = o;
    } else if (from === 4 && to === 2) {
      mixInto(m[0], x[0], 0.5, x[2], 0.5);
      mixInto(m[1], x[1], 0.5, x[3], 0.5);
      d[0] = m[0]; d[1] = m[1];
    } else if (from === 6 && to === 2) {
      const l = m[0];
      const r = m[1];
      for (let i = 0; i < frames; i++) {
        l[i] = x[0][i] + HALF_POWER * (x[2][i] + x[4][i]);
        r[i] = x[1][i] + HALF_POWER * (x[2][i] + x[5][i]);
      }
      d[0] = l; d[1] = r;
    } else if (from === 6 && to === 4) {
      mixInto(m[0], x[0], 1, x[2], HALF_POWER);
      mixInto(m[1], x[1], 1, x[2], HALF_POWER);
      d[0] = m[0]; d[1] = m[1]; d[2] = x[4]; d[3] = x[5];
    } else {
      // Discrete (2->4 and 2->6 are this too): the input's first channels, silence for the rest.
      for (let c = 0; c < to; c++) d[c] = c < from ? x[c] : z;
    }
    return d;
  }

  /** New buffers for quanta of `frames` frames (the arrays handed out keep their places). */
  private resize(frames: number): void {
    this.frames = frames;
    this.zeros = new Float32Array(frames);
    for (let k = 0; k < this.mixed.length; k++) {
      for (let c = 0; c < this.channels; c++) {
        this.mixed[k][c] = new Float32Array(frames);
        this.shaped[k][c] = this.zeros;
      }
    }
  }
}

/** o = a * ga + b * gb, sample by sample. */
function mixInto(o: Float32Array, a: Float32Array, ga: number, b: Float32Array, gb: number): void {
  for (let i = 0; i < o.length; i++) o[i] = ga * a[i] + gb * b[i];
}
