/**
 * Test-signal synthesis for the LevelMatch test suites.
 *
 * Everything returns planar audio: one Float32Array per channel (`Planar`), the shape `LoudnessMeter.push` takes.
 * All generators are deterministic (noise comes from a seeded PRNG), so a failing test reproduces exactly.
 *
 * Levels follow EBU Tech 3341: a tone "at -23 dBFS" has a PEAK amplitude of 10^(-23/20) per channel.
 */

export type Planar = Float32Array[];

/** Peak amplitude for a level in dBFS. */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** Number of frames for a duration, rounded to the nearest frame. */
export function framesOf(seconds: number, sampleRate: number): number {
  return Math.round(seconds * sampleRate);
}

/** Silence of `frames` frames (one channel). */
export function silence(frames: number): Float32Array {
  return new Float32Array(frames);
}

/**
 * A sine of `freq` Hz with the given PEAK level (dBFS), `seconds` long, starting at phase `phase` (radians).
 * Computed in double precision from the absolute sample index (no phase accumulation error).
 */
export function sine(sampleRate: number, freq: number, peakDb: number, seconds: number, phase = 0): Float32Array {
  const n = framesOf(seconds, sampleRate);
  const out = new Float32Array(n);
  const a = dbToGain(peakDb);
  const w = (2 * Math.PI * freq) / sampleRate;
  for (let i = 0; i < n; i++) out[i] = a * Math.sin(w * i + phase);
  return out;
}

/** One segment of a tone sequence: `db` is the peak level in dBFS, `null` (or -Infinity) means silence. */
export interface ToneSegment {
  seconds: number;
  db: number | null;
}

/**
 * A phase-continuous sine whose level steps between segments (the shape of the Tech 3341/3342 test files).
 * Segment boundaries sit at round(cumulative seconds * fs), so long sequences do not drift.
 * The sine runs on through silent segments, so every tone segment continues the same phase.
 */
export function toneSequence(sampleRate: number, freq: number, segments: readonly ToneSegment[]): Float32Array {
  const bounds: number[] = [0];
  let t = 0;
  for (const s of segments) {
    t += s.seconds;
    bounds.push(framesOf(t, sampleRate));
  }
  const out = new Float32Array(bounds[bounds.length - 1]!);
  const w = (2 * Math.PI * freq) / sampleRate;
  for (let k = 0; k < segments.length; k++) {
    const db = segments[k]!.db;
    if (db === null || db === -Infinity) continue;
    const a = dbToGain(db);
    for (let i = bounds[k]!; i < bounds[k + 1]!; i++) out[i] = a * Math.sin(w * i);
  }
  return out;
}

/** Frame index at which each segment of a tone sequence ends (same rounding as `toneSequence`). */
export function segmentEnds(sampleRate: number, segments: readonly ToneSegment[]): number[] {
  const ends: number[] = [];
  let t = 0;
  for (const s of segments) {
    t += s.seconds;
    ends.push(framesOf(t, sampleRate));
  }
  return ends;
}

/** Concatenates mono segments. */
export function concat(...parts: readonly Float32Array[]): Float32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Concatenates planar segments (all with the same channel count). */
export function concatPlanar(...parts: readonly Planar[]): Planar {
  const channels = parts[0]?.length ?? 0;
  const out: Planar = [];
  for (let c = 0; c < channels; c++) out.push(concat(...parts.map((p) => p[c]!)));
  return out;
}

/** The same signal in phase on both channels (two independent copies). */
export function inPhaseStereo(mono: Float32Array): Planar {
  return [mono, mono.slice()];
}

/**
 * An N-channel assembly: one entry per channel, `null` for a silent channel. All given channels must have the
 * same length; silent channels get that length.
 */
export function assemble(channels: readonly (Float32Array | null)[]): Planar {
  let frames = -1;
  for (const c of channels) {
    if (c === null) continue;
    if (frames >= 0 && c.length !== frames) throw new Error('assemble: channels of unequal length');
    frames = c.length;
  }
  if (frames < 0) throw new Error('assemble: at least one channel must carry a signal');
  return channels.map((c) => (c === null ? new Float32Array(frames) : c.slice()));
}

/** Applies a raised-cosine fade-in and fade-out of `seconds` each, in place; returns the same array. */
export function fadeInOut(x: Float32Array, sampleRate: number, seconds: number): Float32Array {
  const n = Math.min(framesOf(seconds, sampleRate), Math.floor(x.length / 2));
  for (let i = 0; i < n; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
    x[i]! *= g;
    x[x.length - 1 - i]! *= g;
  }
  return x;
}

/** Scales planar audio in place by a linear gain; returns it. */
export function scale(p: Planar, gain: number): Planar {
  for (const c of p) for (let i = 0; i < c.length; i++) c[i]! *= gain;
  return p;
}

/** Highest absolute sample over all channels. */
export function peakOf(p: Planar): number {
  let m = 0;
  for (const c of p) for (let i = 0; i < c.length; i++) m = Math.max(m, Math.abs(c[i]!));
  return m;
}

/** Interleaves planar audio (for feeding other tools). */
export function interleave(p: Planar): Float32Array {
  const ch = p.length;
  const n = p[0]!.length;
  const out = new Float32Array(n * ch);
  for (let c = 0; c < ch; c++) {
    const x = p[c]!;
    for (let i = 0; i < n; i++) out[i * ch + c] = x[i]!;
  }
  return out;
}

/** A window [start, end) of planar audio, as views (no copy). */
export function slicePlanar(p: Planar, start: number, end: number): Planar {
  return p.map((c) => c.subarray(start, end));
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded noise
// ---------------------------------------------------------------------------------------------------------------

/**
 * Marsaglia's xorshift128 generator (32-bit words), seeded through a linear congruential step so that any
 * integer seed gives a usable state. Not cryptographic; only reproducible.
 */
export class Rng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;
  private spare: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    const lcg = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s;
    };
    this.x = lcg();
    this.y = lcg();
    this.z = lcg();
    this.w = lcg() || 0x9e3779b9;
    for (let i = 0; i < 32; i++) this.uint32();
  }

  uint32(): number {
    const t = (this.x ^ (this.x << 11)) >>> 0;
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform in [-1, 1). */
  uniform(): number {
    return 2 * this.next() - 1;
  }

  /** Standard normal (Box-Muller, both values used). */
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.next();
    while (u <= 1e-300) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Scales x in place so that its RMS is `rmsDb` dBFS. */
function normaliseRms(x: Float64Array, rmsDb: number): Float32Array {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  const rms = Math.sqrt(e / Math.max(1, x.length));
  const g = rms > 0 ? dbToGain(rmsDb) / rms : 0;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * g;
  return out;
}

/** Gaussian white noise, `frames` long, at an RMS level of `rmsDb` dBFS. */
export function whiteNoise(frames: number, rmsDb: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float64Array(frames);
  for (let i = 0; i < frames; i++) x[i] = rng.gaussian();
  return normaliseRms(x, rmsDb);
}

/**
 * Pink (1/f) noise by the Voss-McCartney method: the sum of ROWS random values where row k is redrawn every
 * 2^k samples (chosen by the number of trailing zeros of the sample counter), plus one white value per sample.
 * The spectrum falls at about 3 dB per octave over ROWS octaves. Scaled to an RMS of `rmsDb` dBFS.
 */
export function pinkNoise(frames: number, rmsDb: number, seed: number): Float32Array {
  const ROWS = 16;
  const rng = new Rng(seed);
  const rows = new Float64Array(ROWS);
  let sum = 0;
  for (let k = 0; k < ROWS; k++) {
    rows[k] = rng.uniform();
    sum += rows[k]!;
  }
  const x = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    const n = i + 1;
    const k = 31 - Math.clz32(n & -n); // trailing zeros of n
    if (k < ROWS) {
      sum -= rows[k]!;
      rows[k] = rng.uniform();
      sum += rows[k]!;
    }
    x[i] = sum + rng.uniform();
  }
  // Remove the (slowly wandering) DC so the RMS is that of the audible signal.
  let mean = 0;
  for (let i = 0; i < frames; i++) mean += x[i]!;
  mean /= Math.max(1, frames);
  for (let i = 0; i < frames; i++) x[i]! -= mean;
  return normaliseRms(x, rmsDb);
}

/** N channels of independent noise (each channel its own seed). */
export function noisePlanar(kind: 'white' | 'pink', channels: number, frames: number, rmsDb: number, seed: number): Planar {
  const out: Planar = [];
  for (let c = 0; c < channels; c++) {
    out.push(kind === 'white' ? whiteNoise(frames, rmsDb, seed + 7919 * c) : pinkNoise(frames, rmsDb, seed + 7919 * c));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Programme-like material
// ---------------------------------------------------------------------------------------------------------------

export interface ProgrammeOptions {
  sampleRate: number;
  /** Length in seconds (a few minutes at most). */
  seconds: number;
  /** 1 (mono mix-down) or 2 (stereo with panned parts). */
  channels: 1 | 2;
  /** Seed for the noise parts and the humanised velocities. */
  seed?: number;
  /** Final sample-peak level in dBFS (default -1). */
  peakDb?: number;
}

const midiHz = (m: number): number => 440 * Math.pow(2, (m - 69) / 12);

/**
 * A synthetic pop-music-like programme at 120 bpm: kick, snare and hi-hat bursts with fast decays, a bass line
 * with harmonics, four-voice chords and a lead line, arranged in 4-bar sections of very different loudness
 * (intro, verse, chorus, quiet breakdown) with humanised velocities and a fade-out, so that momentary,
 * short-term and gated loudness and the loudness range all see real dynamics (LRA of several LU).
 */
export function programme(opts: ProgrammeOptions): Planar {
  const fs = opts.sampleRate;
  const total = framesOf(opts.seconds, fs);
  const rng = new Rng(opts.seed ?? 1);
  const L = new Float64Array(total);
  const R = new Float64Array(total);

  const beat = 0.5; // seconds (120 bpm)
  const bar = 4 * beat;
  const nyq = 0.45 * fs;

  // Equal-power pan, pan in [-1, 1].
  const panGains = (pan: number): [number, number] => {
    const a = ((pan + 1) * Math.PI) / 4;
    return [Math.cos(a), Math.sin(a)];
  };

  /** Adds `render(tSeconds)` from `start` seconds for `dur` seconds at `gain`, panned. */
  const add = (start: number, dur: number, gain: number, pan: number, render: (t: number, i: number) => number): void => {
    const i0 = Math.max(0, framesOf(start, fs));
    const i1 = Math.min(total, framesOf(start + dur, fs));
    const [gl, gr] = panGains(pan);
    for (let i = i0; i < i1; i++) {
      const v = gain * render((i - i0) / fs, i - i0);
      L[i]! += gl * v;
      R[i]! += gr * v;
    }
  };

  const kick = (start: number, vel: number): void => {
    let ph = 0;
    add(start, 0.4, 0.9 * vel, 0, (t) => {
      const f = 45 + 110 * Math.exp(-t / 0.03);
      ph += (2 * Math.PI * f) / fs;
      const att = Math.min(1, t / 0.001);
      return att * Math.exp(-t / 0.12) * Math.sin(ph);
    });
  };

  const snare = (start: number, vel: number): void => {
    let prev = 0;
    add(start, 0.3, 0.45 * vel, 0.1, (t) => {
      const w = rng.uniform();
      const hp = 0.5 * (w - prev);
      prev = w;
      return hp * Math.exp(-t / 0.07) + 0.6 * Math.exp(-t / 0.03) * Math.sin(2 * Math.PI * 185 * t);
    });
  };

  const hat = (start: number, vel: number): void => {
    let p1 = 0;
    let p2 = 0;
    add(start, 0.08, 0.25 * vel, 0.6, (t) => {
      const w = rng.uniform();
      const d2 = w - 2 * p1 + p2; // second difference: strongly high-frequency
      p2 = p1;
      p1 = w;
      return 0.25 * d2 * Math.exp(-t / 0.012);
    });
  };

  /** A harmonic tone: harmonics 1..n with amplitudes amps[k-1], computed by the sine recurrence. */
  const harmonicTone = (f0: number, amps: readonly number[], vibrato: number) => {
    let ph = 0;
    const n = amps.filter((_, k) => (k + 1) * f0 < nyq).length;
    return (t: number): number => {
      const f = vibrato === 0 ? f0 : f0 * (1 + vibrato * Math.sin(2 * Math.PI * 5.5 * t));
      ph += (2 * Math.PI * f) / fs;
      const s1 = Math.sin(ph);
      const c2 = 2 * Math.cos(ph);
      let sPrev = 0;
      let s = s1;
      let acc = 0;
      for (let k = 0; k < n; k++) {
        acc += amps[k]! * s;
        const next = c2 * s - sPrev;
        sPrev = s;
        s = next;
      }
      return acc;
    };
  };

  const envelope = (t: number, dur: number, attack: number, release: number, sustain: number, decay: number): number => {
    const a = Math.min(1, t / attack);
    const d = sustain + (1 - sustain) * Math.exp(-t / decay);
    const r = Math.min(1, Math.max(0, (dur - t) / release));
    return a * d * r;
  };

  const bass = (start: number, midi: number, vel: number): void => {
    const tone = harmonicTone(midiHz(midi), [1, 0.5, 0.33, 0.25, 0.2, 0.16, 0.14, 0.12], 0);
    const dur = 0.23;
    add(start, dur, 0.35 * vel, 0, (t) => envelope(t, dur, 0.005, 0.03, 0.6, 0.1) * tone(t));
  };

  const chord = (start: number, notes: readonly number[], vel: number): void => {
    const dur = bar + 0.2;
    notes.forEach((m, k) => {
      const tone = harmonicTone(midiHz(m) * (1 + (k - 1.5) * 0.0007), [1, 0.3, 0.15], 0);
      const pan = -0.7 + (1.4 * k) / (notes.length - 1);
      add(start, dur, 0.12 * vel, pan, (t) => envelope(t, dur, 0.03, 0.2, 0.7, 0.4) * tone(t));
    });
  };

  const lead = (start: number, midi: number, vel: number): void => {
    const tone = harmonicTone(midiHz(midi), [1, 0.2, 0.1], 0.005);
    const dur = 0.45;
    add(start, dur, 0.22 * vel, -0.3, (t) => envelope(t, dur, 0.01, 0.05, 0.8, 0.2) * tone(t));
  };

  // Am, F, C, G (voicings and bass roots in MIDI note numbers).
  const chords = [
    [57, 60, 64, 69],
    [53, 57, 60, 65],
    [52, 55, 60, 64],
    [55, 59, 62, 67],
  ] as const;
  const roots = [45, 41, 36, 43];
  const pentatonic = [69, 72, 74, 76, 79, 81];

  // Section gains in dB per part: [drums, bass, chords, lead, hats]; null = the part is silent.
  type Section = { drums: number | null; bass: number | null; chords: number | null; lead: number | null; hats: number | null };
  const INTRO: Section = { drums: null, bass: null, chords: -12, lead: null, hats: -14 };
  const VERSE: Section = { drums: -6, bass: -4, chords: -8, lead: null, hats: -8 };
  const CHORUS: Section = { drums: 0, bass: 0, chords: -2, lead: 0, hats: -3 };
  const BREAK: Section = { drums: null, bass: null, chords: -24, lead: null, hats: -26 };
  const order = [INTRO, VERSE, CHORUS, BREAK, VERSE, CHORUS, CHORUS, INTRO];
  const barsPerSection = 4;

  const nBars = Math.ceil(opts.seconds / bar);
  const human = (): number => dbToGain(2 * rng.uniform()); // +-2 dB velocity spread
  for (let b = 0; b < nBars; b++) {
    const sec = order[Math.floor(b / barsPerSection) % order.length]!;
    const t0 = b * bar;
    const ci = b % 4;
    if (sec.chords !== null) chord(t0, chords[ci]!, dbToGain(sec.chords) * human());
    for (let q = 0; q < 8; q++) {
      const t = t0 + q * (beat / 2);
      if (sec.hats !== null) hat(t, dbToGain(sec.hats) * (q % 2 === 0 ? 1 : 0.6) * human());
      if (sec.bass !== null) {
        const step = [0, 0, 7, 12, 0, 7, 10, 12][q]!;
        bass(t, roots[ci]! + step, dbToGain(sec.bass) * human());
      }
    }
    if (sec.drums !== null) {
      const g = dbToGain(sec.drums);
      kick(t0, g * human());
      kick(t0 + 2 * beat, g * human());
      if (b % 2 === 1) kick(t0 + 2.5 * beat, 0.7 * g * human());
      snare(t0 + beat, g * human());
      snare(t0 + 3 * beat, g * human());
    }
    if (sec.lead !== null) {
      for (let q = 0; q < 4; q++) {
        lead(t0 + q * beat, pentatonic[Math.floor(rng.next() * pentatonic.length)]!, dbToGain(sec.lead) * human());
      }
    }
  }

  // Fade-out over the last 3 s (or a third of the programme if shorter).
  const fadeFrames = Math.min(framesOf(3, fs), Math.floor(total / 3));
  for (let i = 0; i < fadeFrames; i++) {
    const g = i / fadeFrames;
    L[total - 1 - i]! *= g;
    R[total - 1 - i]! *= g;
  }

  let out: Float64Array[];
  if (opts.channels === 1) {
    const M = new Float64Array(total);
    for (let i = 0; i < total; i++) M[i] = 0.5 * (L[i]! + R[i]!);
    out = [M];
  } else {
    out = [L, R];
  }
  let peak = 0;
  for (const c of out) for (let i = 0; i < total; i++) peak = Math.max(peak, Math.abs(c[i]!));
  const g = peak > 0 ? dbToGain(opts.peakDb ?? -1) / peak : 0;
  return out.map((c) => {
    const f = new Float32Array(total);
    for (let i = 0; i < total; i++) f[i] = c[i]! * g;
    return f;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// True-peak test signals (EBU Tech 3341 tests 15-23)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Tech 3341 tests 15-19: a sine at `ratio` * fs with linear peak `amplitude` and start phase `phaseDeg`,
 * `seconds` long, with 10 ms raised-cosine fades in and out.
 */
export function truePeakSine(sampleRate: number, ratio: number, amplitude: number, phaseDeg: number, seconds = 1): Float32Array {
  const n = framesOf(seconds, sampleRate);
  const x = new Float32Array(n);
  const w = 2 * Math.PI * ratio;
  const ph = (phaseDeg * Math.PI) / 180;
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin(w * i + ph);
  return fadeInOut(x, sampleRate, 0.01);
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const h = x / 2;
  for (let k = 1; k < 200; k++) {
    term *= (h / k) * (h / k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * A linear-phase low-pass FIR: Kaiser-windowed sinc with cutoff `cutoff` (as a fraction of the sample rate),
 * 2 * half + 1 taps, normalised to unity gain at DC.
 */
export function kaiserLowpass(cutoff: number, half: number, beta: number): Float64Array {
  const h = new Float64Array(2 * half + 1);
  const i0b = besselI0(beta);
  let sum = 0;
  for (let k = -half; k <= half; k++) {
    const x = 2 * cutoff * k;
    const sinc = k === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = k / (half + 1);
    const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0b;
    h[k + half] = 2 * cutoff * sinc * w;
    sum += h[k + half]!;
  }
  for (let k = 0; k < h.length; k++) h[k]! /= sum;
  return h;
}

export interface InterSampleSignal {
  /** The four decimated signals, offsets 0, 1, 2, 3. */
  decimated: Float32Array[];
  /** The largest |value| of the band-limited signal at 4 fs (its true peak, to within the 4x grid). */
  bandLimitedPeak: number;
}

/**
 * Tech 3341 tests 20-23: a sine at `sineHz` and peak 0.5 containing one period of `burstHz` at peak 1.0,
 * phase-continuous (the burst starts and ends where the running phase is a whole number of cycles, so the
 * waveform has no step), synthesised at 4 * fs, low-pass filtered at the original Nyquist frequency by a
 * Kaiser-windowed sinc (beta 10, 1537 taps at 4 fs), then decimated by 4 with offsets 0, 1, 2, 3.
 * The standard's own choice is sineHz = fs/6, burstHz = fs/4. The whole signal is `seconds` long with
 * 10 ms fades at both ends.
 */
export function interSamplePeakSignals(sampleRate: number, sineHz: number, burstHz: number, seconds = 0.5): InterSampleSignal {
  const F = 4 * sampleRate;
  const n = framesOf(seconds, sampleRate) * 4;
  const sinePeriod = F / sineHz;
  const burstLen = F / burstHz;
  if (!Number.isInteger(sinePeriod) || !Number.isInteger(burstLen)) {
    throw new Error('interSamplePeakSignals: periods must be whole numbers of samples at 4 fs');
  }
  // Burst start: the first whole sine period at or after the middle.
  const start = Math.ceil(n / 2 / sinePeriod) * sinePeriod;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (i < start) x[i] = 0.5 * Math.sin((2 * Math.PI * sineHz * i) / F);
    else if (i < start + burstLen) x[i] = 1.0 * Math.sin((2 * Math.PI * burstHz * (i - start)) / F);
    else x[i] = 0.5 * Math.sin((2 * Math.PI * sineHz * (i - start - burstLen)) / F);
  }
  const fadeN = framesOf(0.01, F);
  for (let i = 0; i < fadeN; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fadeN);
    x[i]! *= g;
    x[n - 1 - i]! *= g;
  }
  const half = 768;
  const h = kaiserLowpass(0.5 / 4, half, 10);
  const y = new Float64Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const k0 = Math.max(-half, i - (n - 1));
    const k1 = Math.min(half, i);
    for (let k = k0; k <= k1; k++) acc += h[k + half]! * x[i - k]!;
    y[i] = acc;
    peak = Math.max(peak, Math.abs(acc));
  }
  const decimated: Float32Array[] = [];
  for (let off = 0; off < 4; off++) {
    const m = Math.floor((n - off + 3) / 4);
    const d = new Float32Array(m);
    for (let j = 0; j < m; j++) d[j] = y[4 * j + off]!;
    decimated.push(d);
  }
  return { decimated, bandLimitedPeak: peak };
}

// ---------------------------------------------------------------------------------------------------------------
// Feeding a meter
// ---------------------------------------------------------------------------------------------------------------

/** The part of the meter the helpers need. */
export interface Pushable {
  push(planar: Float32Array[]): void;
}

/**
 * Pushes `p` in pieces. `chunk` is a fixed size or a list of sizes used cyclically. After each push,
 * `after(framesSoFar)` is called if given.
 */
export function pushChunked(meter: Pushable, p: Planar, chunk: number | readonly number[], after?: (frames: number) => void): void {
  const n = p[0]!.length;
  const sizes = typeof chunk === 'number' ? [chunk] : chunk;
  let pos = 0;
  let k = 0;
  while (pos < n) {
    const size = Math.min(sizes[k++ % sizes.length]!, n - pos);
    meter.push(slicePlanar(p, pos, pos + size));
    pos += size;
    if (after) after(pos);
  }
}

/** An irregular list of push sizes, all at most 128 frames (a live host's render quanta of varying length). */
export const IRREGULAR_CHUNKS: readonly number[] = [128, 37, 128, 91, 1, 128, 64, 127, 128, 5, 100, 128, 77];

/**
 * Speech-like mono signal: syllables at ~4 per second (voiced: a glottal pulse train at a gliding 90-220 Hz pitch
 * through three formant resonators that move per syllable; some syllables start with a fricative noise burst),
 * separated by short pauses and a longer pause every few syllables, peak about -6 dBFS. Deterministic per seed.
 */
export function speechLike(sampleRate: number, seconds: number, seed = 7): Float32Array {
  const fs = sampleRate;
  const n = framesOf(seconds, fs);
  const out = new Float32Array(n);
  const rng = new Rng(seed);
  const formants: [number, number][] = [];
  // Two-pole resonator state per formant.
  const res = [0, 0, 0].map(() => ({ y1: 0, y2: 0, a1: 0, a2: 0, g: 0 }));
  const tune = (r: { a1: number; a2: number; g: number }, f: number, bw: number): void => {
    const rad = Math.exp((-Math.PI * bw) / fs);
    r.a1 = 2 * rad * Math.cos((2 * Math.PI * f) / fs);
    r.a2 = -rad * rad;
    r.g = 1 - rad;
  };
  let i = 0;
  let syllable = 0;
  let phase = 0;
  while (i < n) {
    const dur = Math.round((0.12 + 0.16 * rng.next()) * fs);
    const pause = Math.round((syllable % 5 === 4 ? 0.25 + 0.2 * rng.next() : 0.03 + 0.05 * rng.next()) * fs);
    const f1 = 300 + 500 * rng.next();
    const f2 = 900 + 1500 * rng.next();
    const f3 = 2300 + 800 * rng.next();
    formants.length = 0;
    formants.push([f1, 80], [f2, 120], [f3, 160]);
    formants.forEach(([f, bw], k) => tune(res[k]!, f, bw));
    const p0 = 90 + 130 * rng.next();
    const p1 = p0 * (0.8 + 0.4 * rng.next());
    const fricative = rng.next() < 0.4 ? Math.round(0.05 * fs) : 0;
    for (let k = 0; k < dur && i < n; k++, i++) {
      const u = k / dur;
      const env = Math.sin(Math.PI * Math.min(1, u * 1.2)) ** 0.7;
      let s = 0;
      if (k < fricative) {
        s = 0.15 * (rng.next() * 2 - 1) * (1 - k / fricative);
      } else {
        const pitch = p0 + (p1 - p0) * u;
        phase += pitch / fs;
        let src = 0;
        if (phase >= 1) {
          phase -= 1;
          src = 1;
        }
        src += 0.02 * (rng.next() * 2 - 1); // breath
        for (const r of res) {
          const y = r.g * src + r.a1 * r.y1 + r.a2 * r.y2;
          r.y2 = r.y1;
          r.y1 = y;
          s += y;
        }
      }
      out[i] = s * env;
    }
    for (let k = 0; k < pause && i < n; k++, i++) out[i] = 0;
    syllable++;
  }
  let peak = 0;
  for (let k = 0; k < n; k++) peak = Math.max(peak, Math.abs(out[k]!));
  const g = peak > 0 ? 0.5 / peak : 0;
  for (let k = 0; k < n; k++) out[k]! *= g;
  return out;
}
