/**
 * Field programmes for the gain-law evaluation (issue 9): synthesised, seeded, and varied on purpose (random
 * velocities, fills, pitch and syllable lengths), so that no test is tuned to one signal. Each returns planar
 * stereo Float32Arrays and the section boundaries (seconds) where its level jumps. Test support only.
 */

export type Planar = Float32Array[];

export interface Programme {
  readonly name: string;
  readonly audio: Planar;
  /** Start times (s) of each section after the first: where the level jumps. */
  readonly jumps: number[];
  /** Section spans [start, end) in seconds (the whole programme is covered). */
  readonly sections: Array<[number, number]>;
}

/** A seeded uniform generator on [-1, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

const dbToGain = (db: number): number => 10 ** (db / 20);

export interface Section {
  seconds: number;
  /** Level of the section relative to the programme's nominal level, dB. */
  levelDb: number;
  /** 'full' band (drums, bass, chords) or 'breakdown' (pad and a soft hat only). */
  kind: 'full' | 'breakdown';
}

/**
 * Music-like programme at 120 bpm: kick, snare, hi-hat with random velocities and occasional fills, a
 * saturated bass following a chord progression, and a chord pad; sections at their own level. Level 1 at
 * levelDb 0 peaks near -8 dBFS (about -20 LUFS for a full section).
 */
export function music(fs: number, sections: Section[], seed = 11, name = 'music'): Programme {
  const total = sections.reduce((a, s) => a + s.seconds, 0);
  const n = Math.round(total * fs);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const r = rng(seed);
  const roots = [55, 49, 65.4, 43.7, 55, 61.7, 49, 41.2];
  const spans: Array<[number, number]> = [];
  const jumps: number[] = [];
  let t0 = 0;
  // Per-beat random parameters, drawn beat by beat.
  const beat = 0.5;
  let lp = 0;
  for (const sec of sections) {
    spans.push([t0, t0 + sec.seconds]);
    if (t0 > 0) jumps.push(t0);
    const g = dbToGain(sec.levelDb) * 0.4;
    const i0 = Math.round(t0 * fs);
    const i1 = Math.min(n, Math.round((t0 + sec.seconds) * fs));
    let beatNo = -1;
    let vk = 1, vs = 1, vh = 1, fill = false;
    for (let i = i0; i < i1; i++) {
      const t = i / fs;
      const b = Math.floor(t / beat);
      if (b !== beatNo) {
        beatNo = b;
        vk = 0.75 + 0.25 * r();
        vs = 0.7 + 0.3 * r();
        vh = 0.6 + 0.4 * r();
        fill = r() > 0.8;
      }
      const inBeat = t - b * beat;
      const bar = Math.floor(t / 2) % roots.length;
      const root = roots[bar];
      const noise = r();
      lp += 0.35 * (noise - lp);
      let mid = 0;
      let side = 0;
      if (sec.kind === 'full') {
        const kf = 45 + 80 * Math.exp(-inBeat * 30);
        const kick = vk * 0.9 * Math.exp(-inBeat * 9) * Math.sin(2 * Math.PI * kf * inBeat);
        const snareOn = b % 2 === 1 || (fill && inBeat > beat / 2);
        const st = fill && inBeat > beat / 2 ? inBeat - beat / 2 : inBeat;
        const snare = snareOn ? vs * 0.6 * Math.exp(-st * 20) * lp : 0;
        const ht = inBeat % (beat / 2);
        const hat = vh * 0.12 * Math.exp(-ht * 60) * noise;
        const bass = 0.32 * Math.tanh(2.2 * Math.sin(2 * Math.PI * root * t)) * (0.55 + 0.45 * Math.exp(-inBeat * 4));
        mid = kick + snare + bass;
        side = hat;
      }
      let pad = 0;
      for (const m of [2, 2.52, 3]) pad += Math.sin(2 * Math.PI * root * 2 * m * t + m) + 0.3 * Math.sin(2 * Math.PI * root * 4 * m * t);
      pad *= sec.kind === 'full' ? 0.05 : 0.09 * (0.8 + 0.2 * Math.sin(2 * Math.PI * 0.25 * t));
      if (sec.kind === 'breakdown') side = 0.04 * Math.exp(-(t % 0.25) * 50) * noise;
      left[i] = g * (mid + 0.7 * side + 1.2 * pad);
      right[i] = g * (mid + 1.3 * side + 0.8 * pad);
    }
    t0 += sec.seconds;
  }
  return { name, audio: [left, right], jumps, sections: spans };
}

/**
 * Speech-like programme: voiced syllables (a glottal pulse train with wandering pitch through two formant
 * resonators) and fricatives (high-passed noise), 120-320 ms each, grouped in phrases of 3-9 syllables with
 * 0.25-0.9 s pauses of near silence between phrases. Optional sections at other levels.
 */
export function speech(fs: number, seconds: number, seed = 5, sections: Section[] | null = null): Programme {
  const n = Math.round(seconds * fs);
  const x = new Float32Array(n);
  const r = rng(seed);
  let i = 0;
  let phase = 0;
  const res = [new Float64Array(2), new Float64Array(2)];
  let hp = 0;
  let prevN = 0;
  while (i < n) {
    const syllables = 3 + Math.floor((r() * 0.5 + 0.5) * 7);
    for (let k = 0; k < syllables && i < n; k++) {
      const len = Math.round((0.12 + (r() * 0.5 + 0.5) * 0.2) * fs);
      const voiced = r() > -0.6;
      const f1 = 400 + 350 * (r() * 0.5 + 0.5);
      const f2 = 1100 + 1200 * (r() * 0.5 + 0.5);
      const amp = 0.5 + 0.25 * r();
      const pitch0 = 110 + 40 * r();
      for (let j = 0; j < len && i < n; j++, i++) {
        const env = Math.sin((Math.PI * j) / len) ** 0.6;
        let v = 0;
        if (voiced) {
          phase += (pitch0 * (1 + 0.08 * Math.sin((2 * Math.PI * j) / len))) / fs;
          let src = 0;
          if (phase >= 1) {
            phase -= 1;
            src = 1;
          }
          // two resonators (formants), summed
          for (let q = 0; q < 2; q++) {
            const f = q === 0 ? f1 : f2;
            const rad = 0.995 - q * 0.006;
            const c = 2 * rad * Math.cos((2 * Math.PI * f) / fs);
            const y = src + c * res[q][0] - rad * rad * res[q][1];
            res[q][1] = res[q][0];
            res[q][0] = y;
            v += (q === 0 ? 0.05 : 0.03) * y;
          }
        } else {
          const nz = r();
          hp = nz - prevN;
          prevN = nz;
          v = 0.25 * hp;
        }
        x[i] = amp * env * v;
      }
    }
    const pause = Math.round((0.25 + (r() * 0.5 + 0.5) * 0.65) * fs);
    for (let j = 0; j < pause && i < n; j++, i++) x[i] = 1e-4 * r();
  }
  const spans: Array<[number, number]> = [];
  const jumps: number[] = [];
  if (sections !== null) {
    let t0 = 0;
    for (const s of sections) {
      spans.push([t0, t0 + s.seconds]);
      if (t0 > 0) jumps.push(t0);
      const g = dbToGain(s.levelDb);
      const a = Math.round(t0 * fs);
      const b = Math.min(n, Math.round((t0 + s.seconds) * fs));
      for (let k = a; k < b; k++) x[k] *= g;
      t0 += s.seconds;
    }
  } else {
    spans.push([0, seconds]);
  }
  // Normalise so that speech peaks near -6 dBFS at level 0.
  let peak = 0;
  for (let k = 0; k < n; k++) peak = Math.max(peak, Math.abs(x[k]));
  const norm = peak > 0 ? 0.5 / peak : 1;
  for (let k = 0; k < n; k++) x[k] *= norm;
  return { name: 'speech', audio: [x, x.slice()], jumps, sections: spans };
}

/**
 * Programme with sharp transients: a quiet pad (about -27 LUFS) with clicks and rim shots of random strength
 * (1 ms decays, peaks from -22 to -6 dBFS, the loudest ones rare), 2-9 per second: the peak-to-loudness ratio is
 * high and new, louder peaks keep arriving.
 */
export function transients(fs: number, seconds: number, seed = 9): Programme {
  const n = Math.round(seconds * fs);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    const pad = 0.04 * (Math.sin(2 * Math.PI * 220 * t) + 0.6 * Math.sin(2 * Math.PI * 331 * t + 1) + 0.4 * Math.sin(2 * Math.PI * 441 * t + 2));
    left[i] = pad;
    right[i] = pad;
  }
  let i = Math.round(0.05 * fs);
  while (i < n) {
    const u = r() * 0.5 + 0.5;
    const peakDb = -22 + 16 * u * u * u; // mostly soft, now and then near -6 dBFS
    const a = dbToGain(peakDb);
    const f = 1800 + 2500 * (r() * 0.5 + 0.5);
    const len = Math.round(0.012 * fs);
    for (let j = 0; j < len && i + j < n; j++) {
      const env = Math.exp(-j / (0.001 * fs));
      const v = a * env * Math.sin((2 * Math.PI * f * j) / fs + 0.3);
      left[i + j] += v;
      right[i + j] += 0.9 * v;
    }
    i += Math.round((0.11 + (r() * 0.5 + 0.5) * 0.39) * fs);
  }
  return { name: 'transients', audio: [left, right], jumps: [], sections: [[0, seconds]] };
}
