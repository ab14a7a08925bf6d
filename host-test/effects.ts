/**
 * Effects that sit between a reference and a match instance in the plugin tests: the kinds of processing a
 * producer compares against the dry signal. Each changes loudness in its own way (flat gain, dynamics,
 * waveshaping, spectral tilt), so the match instance has to measure rather than guess.
 *
 * Streaming and stateful (process() is called quantum by quantum, in place), written for these tests only;
 * none of this is product code.
 */

export interface Effect {
  readonly name: string;
  /** Processes `frames` samples of every channel in place. */
  process(channels: Float32Array[], frames: number): void;
}

const dbToGain = (db: number): number => 10 ** (db / 20);

/** A flat gain change. */
export function gainEffect(db: number): Effect {
  const g = dbToGain(db);
  return {
    name: `gain ${db > 0 ? '+' : ''}${db} dB`,
    process(ch, frames) {
      for (const x of ch) for (let i = 0; i < frames; i++) x[i] *= g;
    },
  };
}

/**
 * A feed-forward compressor on the stereo-linked peak: threshold/ratio in dB, attack/release in seconds,
 * then make-up gain. Loudness changes with the programme's dynamics, not by a constant.
 */
export function compressorEffect(sampleRate: number, thresholdDb = -24, ratio = 4, makeupDb = 6, attack = 0.005, release = 0.12): Effect {
  const aA = Math.exp(-1 / (attack * sampleRate));
  const aR = Math.exp(-1 / (release * sampleRate));
  const makeup = dbToGain(makeupDb);
  let env = 0; // dB of gain reduction, <= 0
  return {
    name: `compressor ${thresholdDb} dB ${ratio}:1 +${makeupDb} dB`,
    process(ch, frames) {
      for (let i = 0; i < frames; i++) {
        let peak = 0;
        for (const x of ch) peak = Math.max(peak, Math.abs(x[i]));
        const level = peak > 1e-9 ? 20 * Math.log10(peak) : -180;
        const over = level - thresholdDb;
        const target = over > 0 ? -over * (1 - 1 / ratio) : 0;
        const a = target < env ? aA : aR;
        env = a * env + (1 - a) * target;
        const g = dbToGain(env) * makeup;
        for (const x of ch) x[i] *= g;
      }
    },
  };
}

/** tanh saturation with input drive and a fixed output trim: louder and denser at once. */
export function saturationEffect(driveDb = 12, outDb = -3): Effect {
  const drive = dbToGain(driveDb);
  const out = dbToGain(outDb);
  return {
    name: `saturation drive ${driveDb} dB`,
    process(ch, frames) {
      for (const x of ch) for (let i = 0; i < frames; i++) x[i] = Math.tanh(drive * x[i]) * out;
    },
  };
}

/**
 * EQ tilt: a low shelf cut and a high shelf boost of `db` each around `hz` (RBJ cookbook shelves, slope 1),
 * which moves K-weighted loudness by an amount that depends on the programme's spectrum.
 */
export function tiltEffect(sampleRate: number, db = 6, hz = 800): Effect {
  const shelf = (gainDb: number, high: boolean): number[] => {
    const A = 10 ** (gainDb / 40);
    const w = (2 * Math.PI * hz) / sampleRate;
    const cos = Math.cos(w);
    const alpha = (Math.sin(w) / 2) * Math.SQRT2;
    const s = 2 * Math.sqrt(A) * alpha;
    let b0, b1, b2, a0, a1, a2;
    if (high) {
      b0 = A * (A + 1 + (A - 1) * cos + s);
      b1 = -2 * A * (A - 1 + (A + 1) * cos);
      b2 = A * (A + 1 + (A - 1) * cos - s);
      a0 = A + 1 - (A - 1) * cos + s;
      a1 = 2 * (A - 1 - (A + 1) * cos);
      a2 = A + 1 - (A - 1) * cos - s;
    } else {
      b0 = A * (A + 1 - (A - 1) * cos + s);
      b1 = 2 * A * (A - 1 - (A + 1) * cos);
      b2 = A * (A + 1 - (A - 1) * cos - s);
      a0 = A + 1 + (A - 1) * cos + s;
      a1 = -2 * (A - 1 + (A + 1) * cos);
      a2 = A + 1 + (A - 1) * cos - s;
    }
    return [b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0];
  };
  const stages = [shelf(-db, false), shelf(db, true)];
  const state: Float64Array[] = []; // per channel index: two biquads x two state words
  return {
    name: `tilt ±${db} dB at ${hz} Hz`,
    process(ch, frames) {
      ch.forEach((x, c) => {
        const st = (state[c] ??= new Float64Array(4));
        for (let i = 0; i < frames; i++) {
          let v = x[i];
          for (let k = 0; k < 2; k++) {
            const [b0, b1, b2, a1, a2] = stages[k];
            const y = b0 * v + st[2 * k];
            st[2 * k] = b1 * v - a1 * y + st[2 * k + 1];
            st[2 * k + 1] = b2 * v - a2 * y;
            v = y;
          }
          x[i] = v;
        }
      });
    },
  };
}

/** Runs effects in series. */
export function chain(...effects: Effect[]): Effect {
  return {
    name: effects.map((e) => e.name).join(' -> '),
    process(ch, frames) {
      for (const e of effects) e.process(ch, frames);
    },
  };
}

/**
 * A pure delay of `frames()` frames (a look-ahead or oversampling latency), read each quantum, so a test can
 * change it mid-stream (a step: the effect's own output jumps, as a plugin's does when its latency changes).
 */
export function delayEffect(frames: number | (() => number), maxFrames = 1 << 17): Effect {
  const get = typeof frames === 'number' ? () => frames : frames;
  const lines: Float32Array[] = [];
  let pos = 0;
  return {
    name: `delay ${typeof frames === 'number' ? frames : 'variable'} frames`,
    process(ch, n) {
      const d = Math.min(maxFrames - 1, Math.max(0, Math.round(get())));
      ch.forEach((x, c) => {
        const line = (lines[c] ??= new Float32Array(maxFrames));
        for (let i = 0; i < n; i++) {
          const w = (pos + i) & (maxFrames - 1);
          line[w] = x[i];
          x[i] = line[(w - d + maxFrames) & (maxFrames - 1)];
        }
      });
      pos = (pos + n) & (maxFrames - 1);
    },
  };
}
