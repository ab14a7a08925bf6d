/**
 * The demo's built-in programme: a 32 s loop of drums, bass and chords (120 bpm, 16 bars, A minor: Am F C G),
 * synthesised sample by sample, deterministic (seeded noise), no DOM, so Node can render and meter it too.
 *
 * It has the dynamics real music has, so the loudness matching has something to follow (short-term loudness
 * at the end of each section, LUFS):
 *
 *   bars  0-3   verse      kick, soft hats, held bass, dark chords                 about -25
 *   bars  4-7   build      + snare, busier hats, eighth-note bass, a snare roll     about -21
 *   bars  8-11  chorus     four on the floor, crash, open hats, bright chords       about -16
 *   bars 12-15  breakdown  chords and a held bass, a few soft hits                  about -29
 *
 * Integrated -20.5 LUFS, loudness range 12.5 LU, true peak -1.4 dBTP (measured with the library at 48 kHz,
 * over a second pass of the loop). Two stereo stems, drums and music (bass + chords), let a host mute the drums. Note tails past the
 * end wrap to the start, so the loop has no seam.
 */

export const BPM = 120;
/** Seconds per beat and per 4/4 bar. */
export const BEAT = 60 / BPM;
export const BAR = 4 * BEAT;
export const BARS = 16;
/** Length of the loop in seconds. */
export const PROGRAMME_SECONDS = BARS * BAR;

export interface Section {
  name: 'verse' | 'build' | 'chorus' | 'breakdown';
  /** Start and end in seconds within the loop. */
  start: number;
  end: number;
}

export const SECTIONS: readonly Section[] = [
  { name: 'verse', start: 0, end: 4 * BAR },
  { name: 'build', start: 4 * BAR, end: 8 * BAR },
  { name: 'chorus', start: 8 * BAR, end: 12 * BAR },
  { name: 'breakdown', start: 12 * BAR, end: 16 * BAR },
];

/** The section playing at `seconds` into the loop. */
export function sectionAt(seconds: number): Section {
  const t = ((seconds % PROGRAMME_SECONDS) + PROGRAMME_SECONDS) % PROGRAMME_SECONDS;
  return SECTIONS.find((s) => t < s.end) ?? SECTIONS[SECTIONS.length - 1];
}

/** A stereo pair of planar channels. */
export type Stereo = [Float32Array, Float32Array];

export interface Programme {
  sampleRate: number;
  frames: number;
  /** Kick, snare, hats, crash. */
  drums: Stereo;
  /** Bass and chords. */
  music: Stereo;
}

/** Overall level (linear) of both stems. */
const MIX_GAIN = 0.5;

// One bar per chord: bass root (Hz) and the chord's voicing (Hz), plus a top note the chorus adds.
const ROOTS = [55, 43.65, 65.41, 49]; // A1 F1 C2 G1
const VOICINGS = [
  [220, 261.63, 329.63], // Am: A3 C4 E4
  [174.61, 220, 261.63], // F:  F3 A3 C4
  [196, 261.63, 329.63], // C:  G3 C4 E4
  [196, 246.94, 293.66], // G:  G3 B3 D4
];
const TOPS = [440, 349.23, 523.25, 392]; // A4 F4 C5 G4

const TAU = 2 * Math.PI;

/**
 * Single-cycle wavetables read by a 32-bit phase accumulator: the top TABLE_BITS bits index the table, the
 * rest interpolate. Integer phase wraps by itself, which keeps the inner loops cheap.
 */
const TABLE_BITS = 11;
const TABLE_SIZE = 1 << TABLE_BITS;
const FRAC_BITS = 32 - TABLE_BITS;
const FRAC_MASK = (1 << FRAC_BITS) - 1;
const FRAC_SCALE = 1 / (1 << FRAC_BITS);
/** Phase increment per frame for `hz` at `sr`, in 2^-32 cycles. */
const phaseStep = (hz: number, sr: number): number => Math.round((hz / sr) * 2 ** 32) >>> 0;

function table(f: (x: number) => number): Float32Array {
  const t = new Float32Array(TABLE_SIZE + 1);
  for (let i = 0; i <= TABLE_SIZE; i++) t[i] = f((TAU * i) / TABLE_SIZE);
  return t;
}

/** The table's value at a 32-bit phase, linearly interpolated. */
function read(t: Float32Array, phase: number): number {
  const i = phase >>> FRAC_BITS;
  return t[i] + (phase & FRAC_MASK) * FRAC_SCALE * (t[i + 1] - t[i]);
}

/** One-pole low-pass coefficient for a cutoff in Hz. */
const onePole = (hz: number, sr: number): number => 1 - Math.exp((-TAU * hz) / sr);

/**
 * Renders the programme at `sampleRate` (Hz): about 0.2 s of CPU at 48 kHz. Synchronous; in a page prefer
 * renderProgrammeAsync, which yields between bars.
 */
export function renderProgramme(sampleRate: number): Programme {
  const steps = programmeSteps(sampleRate);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** renderProgramme that gives the event loop a turn after each bar, so a page stays responsive. */
export async function renderProgrammeAsync(sampleRate: number): Promise<Programme> {
  const steps = programmeSteps(sampleRate);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

/** The renderer, one bar per step. */
function* programmeSteps(sampleRate: number, seed = 0x1f2e3d4c): Generator<number, Programme, void> {
  const sr = sampleRate;
  const frames = Math.round(PROGRAMME_SECONDS * sr);
  const drums: Stereo = [new Float32Array(frames), new Float32Array(frames)];
  const music: Stereo = [new Float32Array(frames), new Float32Array(frames)];
  const sine = table(Math.sin);
  // A driven sine (tanh): the bass's waveform; odd harmonics that fall fast, so no aliasing to speak of.
  const drivenSine = table((x) => Math.tanh(2.4 * Math.sin(x)));
  // A band-limited sawtooth, 16 harmonics, peak about 1: the chords.
  const saw = table((x) => {
    let s = 0;
    for (let k = 1; k <= 16; k++) s += Math.sin(k * x) / k;
    return 0.55 * s;
  });
  let state = seed >>> 0 || 1;
  /** Uniform noise in [-1, 1): a linear congruential generator, so every render is identical. */
  const noise = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const at = (seconds: number): number => Math.round(seconds * sr);
  /** Frame index wrapped into the loop. */
  const wrap = (i: number): number => (i >= frames ? i - frames : i);
  /** Per-frame multiplier of an exponential decay at `rate` nepers per second. */
  const decayStep = (rate: number): number => Math.exp(-rate / sr);

  const kick = (t: number, vel: number): void => {
    // A sine falling from about 150 Hz to 48 Hz, and a 3 ms click of noise for the beater.
    const n = at(0.45);
    const i0 = at(t);
    const click = at(0.003);
    const ampStep = decayStep(8);
    const sweepStep = decayStep(28);
    let amp = 0.72 * vel;
    let sweep = 100;
    let phase = 0;
    for (let k = 0; k < n; k++) {
      phase = (phase + phaseStep(48 + sweep, sr)) >>> 0;
      let v = amp * read(sine, phase);
      if (k < click) v += 0.25 * vel * noise() * (1 - k / click);
      amp *= ampStep;
      sweep *= sweepStep;
      const w = wrap(i0 + k);
      drums[0][w] += v;
      drums[1][w] += v;
    }
  };

  const snare = (t: number, vel: number): void => {
    // Band-limited noise (high-passed, then low-passed) over a 185 Hz body.
    const n = at(0.32);
    const i0 = at(t);
    const a = onePole(5000, sr);
    const noiseStep = decayStep(17);
    const bodyStep = decayStep(30);
    const bodyInc = phaseStep(185, sr);
    let noiseAmp = 0.55 * vel;
    let bodyAmp = 0.32 * vel;
    let bodyPhase = 0;
    let lp = 0;
    let hp = 0;
    let prev = 0;
    for (let k = 0; k < n; k++) {
      const x = noise();
      hp = 0.9 * (hp + x - prev);
      prev = x;
      lp += a * (hp - lp);
      const v = noiseAmp * lp + bodyAmp * read(sine, bodyPhase);
      bodyPhase = (bodyPhase + bodyInc) >>> 0;
      noiseAmp *= noiseStep;
      bodyAmp *= bodyStep;
      const w = wrap(i0 + k);
      drums[0][w] += v;
      drums[1][w] += v;
    }
  };

  const hat = (t: number, vel: number, open: boolean, pan: number): void => {
    // High-passed noise (a second difference); closed hats die in about 60 ms, open ones in about 400 ms.
    const n = at(open ? 0.45 : 0.08);
    const i0 = at(t);
    const step = decayStep(open ? 9 : 55);
    const gl = Math.cos(((pan + 1) * Math.PI) / 4);
    const gr = Math.sin(((pan + 1) * Math.PI) / 4);
    let amp = 0.125 * vel;
    let x1 = 0;
    let x2 = 0;
    for (let k = 0; k < n; k++) {
      const x = noise();
      const v = amp * (x - 2 * x1 + x2);
      x2 = x1;
      x1 = x;
      amp *= step;
      const w = wrap(i0 + k);
      drums[0][w] += v * gl;
      drums[1][w] += v * gr;
    }
  };

  const crash = (t: number, vel: number): void => {
    // Decorrelated high-passed noise in each channel, a 2.5 s tail.
    const n = at(2.5);
    const i0 = at(t);
    const attack = at(0.002);
    const step = decayStep(1.6);
    for (let c = 0; c < 2; c++) {
      let amp = 0.16 * vel;
      let x1 = 0;
      for (let k = 0; k < n; k++) {
        const x = noise();
        drums[c][wrap(i0 + k)] += (k < attack ? k / attack : 1) * amp * (x - x1);
        x1 = x;
        amp *= step;
      }
    }
  };

  const bass = (t: number, dur: number, hz: number, vel: number): void => {
    // A driven sine with a pluck, low-passed at 700 Hz; centred. 4 ms attack, 40 ms release.
    const release = at(0.04);
    const held = at(dur);
    const n = held + release;
    const attack = at(0.004);
    const i0 = at(t);
    const a = onePole(700, sr);
    const inc = phaseStep(hz, sr);
    const pluckStep = decayStep(10);
    let pluck = 0.45;
    let phase = 0;
    let lp = 0;
    for (let k = 0; k < n; k++) {
      lp += a * (read(drivenSine, phase) - lp);
      phase = (phase + inc) >>> 0;
      const env = (k < attack ? k / attack : 1) * (k > held ? 1 - (k - held) / release : 1) * (0.55 + pluck);
      pluck *= pluckStep;
      const v = 0.38 * vel * env * lp;
      const w = wrap(i0 + k);
      music[0][w] += v;
      music[1][w] += v;
    }
  };

  // The chords swell on every eighth note: one period of the swell, computed once.
  const swellFrames = at(BEAT / 2);
  const swell = new Float32Array(swellFrames);
  for (let k = 0; k < swellFrames; k++) swell[k] = 0.8 + 0.2 * Math.exp((-k / sr) * 7);

  const chord = (t: number, dur: number, notes: readonly number[], vel: number, cutoff: number): void => {
    // Sawtooth voices detuned by -+6 cents between the channels, through a one-pole low-pass; 60 ms attack,
    // a slight decay, 300 ms release. The voices share the envelope and the filter: sum, then filter once.
    const held = at(dur);
    const n = held + at(0.3);
    const attack = at(0.06);
    const i0 = at(t);
    const a = onePole(cutoff, sr);
    const fall = decayStep(1.5);
    const releaseStep = decayStep(12);
    const g = 0.09 * vel;
    const phases = new Uint32Array(notes.length);
    const incs = new Uint32Array(notes.length);
    for (let c = 0; c < 2; c++) {
      const detune = 2 ** ((c === 0 ? -6 : 6) / 1200);
      notes.forEach((hz, j) => {
        phases[j] = Math.round((0.13 * j + 0.37 * c) * 2 ** 32) >>> 0;
        incs[j] = phaseStep(hz * detune, sr);
      });
      const out = music[c];
      let lp = 0;
      let decay = 0.2;
      let release = 1;
      for (let k = 0; k < n; k++) {
        let x = 0;
        for (let j = 0; j < phases.length; j++) {
          x += read(saw, phases[j]);
          phases[j] += incs[j]; // a Uint32Array wraps by itself
        }
        lp += a * (x - lp);
        decay *= fall;
        if (k >= held) release *= releaseStep;
        const env = (k < attack ? k / attack : 1) * release * (0.8 + decay);
        out[wrap(i0 + k)] += g * env * swell[k % swellFrames] * lp;
      }
    }
  };

  for (let bar = 0; bar < BARS; bar++) {
    const t0 = bar * BAR;
    const q = bar % 4; // the bar's chord
    const beat = (b: number): number => t0 + b * BEAT;
    if (bar < 4) {
      // Verse: kick on 1 and 3, soft eighth hats, bass in half notes, dark chords.
      kick(beat(0), 0.55);
      kick(beat(2), 0.5);
      for (let e = 0; e < 8; e++) hat(beat(e / 2), e % 2 === 0 ? 0.32 : 0.18, false, 0.3);
      bass(beat(0), 0.9, ROOTS[q], 0.5);
      bass(beat(2), 0.9, ROOTS[q], 0.45);
      chord(t0, BAR, VOICINGS[q], 0.6, 900);
    } else if (bar < 8) {
      // Build: snare on 2 and 4, sixteenth hats, eighth-note bass, brighter chords; a roll into the chorus.
      kick(beat(0), 0.75);
      kick(beat(2), 0.7);
      kick(beat(2.5), 0.55);
      snare(beat(1), 0.6);
      if (bar === 7) {
        for (let s = 0; s < 8; s++) snare(beat(2 + s / 4), 0.3 + 0.6 * (s / 7));
      } else {
        snare(beat(3), 0.6);
      }
      for (let s = 0; s < 16; s++) hat(beat(s / 4), s % 4 === 0 ? 0.42 : s % 2 === 0 ? 0.3 : 0.18, false, 0.3);
      for (let e = 0; e < 8; e++) bass(beat(e / 2), 0.22, ROOTS[q], e % 2 === 0 ? 0.68 : 0.55);
      chord(t0, BAR, VOICINGS[q], 0.8, 1500);
    } else if (bar < 12) {
      // Chorus: four on the floor, crashes, open hats on the offbeats, octave bass, bright chords with a top note.
      for (let b = 0; b < 4; b++) kick(beat(b), 1);
      snare(beat(1), 1);
      snare(beat(3), 1);
      if (bar === 8) crash(t0, 0.9);
      if (bar === 10) crash(t0, 0.6);
      for (let b = 0; b < 4; b++) hat(beat(b + 0.5), 0.55, true, -0.35);
      for (let s = 0; s < 16; s += 2) hat(beat(s / 4), s % 4 === 0 ? 0.45 : 0.3, false, 0.35);
      for (let e = 0; e < 8; e++) bass(beat(e / 2), 0.22, ROOTS[q] * (e % 2 === 1 ? 2 : 1), 0.9);
      chord(t0, BAR, [...VOICINGS[q], TOPS[q]], 1, 3200);
    } else {
      // Breakdown: chords and a held bass; soft hits come back in the last two bars.
      bass(beat(0), 1.9, ROOTS[q], 0.35);
      chord(t0, BAR, VOICINGS[q], 0.6, 700);
      if (bar >= 14) {
        kick(beat(0), 0.35);
        for (let b = 0; b < 4; b++) hat(beat(b + 0.5), 0.18, false, 0.3);
      }
    }
    yield bar;
  }

  for (const stem of [drums, music]) {
    for (const ch of stem) for (let i = 0; i < frames; i++) ch[i] *= MIX_GAIN;
  }
  return { sampleRate: sr, frames, drums, music };
}
