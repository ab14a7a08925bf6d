// A deterministic programme-like stereo signal (drums, bass, chords, with a quiet verse and a loud chorus),
// shared by `npm start` and the benchmark. Plain JS so scripts can use it without a build step.

/** Returns [left, right] Float32Arrays of `seconds` at `sampleRate`. */
export function programme(sampleRate, seconds, seed = 1) {
  const frames = Math.round(sampleRate * seconds);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let s = seed >>> 0 || 1;
  const noise = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const bpm = 120;
  const beat = 60 / bpm; // s
  const bassNotes = [55, 55, 65.41, 49]; // Hz: A1 A1 C2 G1, one per bar
  const chords = [[220, 261.63, 329.63], [220, 261.63, 329.63], [261.63, 329.63, 392], [196, 246.94, 293.66]];
  let snareLp = 0;
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const bar = Math.floor(t / (4 * beat)) % 4;
    const inBeat = t % beat;
    const beatNo = Math.floor(t / beat) % 4;
    // Sections of 8 s: quiet verse, loud chorus (about 8 dB apart), so LRA and the gates have work to do.
    const loud = Math.floor(t / 8) % 2 === 1;
    const section = loud ? 1 : 0.4;
    // Kick on every beat: a sine falling from 120 Hz to 45 Hz with a fast decay.
    const kf = 45 + 75 * Math.exp(-inBeat * 30);
    const kick = 0.9 * Math.exp(-inBeat * 9) * Math.sin(2 * Math.PI * kf * inBeat);
    // Snare on beats 2 and 4: band-limited noise burst.
    snareLp += 0.5 * (noise() - snareLp);
    const snare = beatNo % 2 === 1 ? 0.5 * Math.exp(-inBeat * 18) * snareLp : 0;
    // Hi-hat on eighths.
    const hat = 0.12 * Math.exp(-(t % (beat / 2)) * 60) * noise();
    const bf = bassNotes[bar];
    const bass = 0.35 * Math.tanh(2 * Math.sin(2 * Math.PI * bf * t)) * (0.6 + 0.4 * Math.exp(-inBeat * 4));
    let pad = 0;
    for (const f of chords[bar]) pad += Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(2 * Math.PI * 2 * f * t + 1);
    pad *= 0.05 * (0.7 + 0.3 * Math.sin(2 * Math.PI * 0.25 * t));
    const mid = section * (kick + snare + bass);
    left[i] = 0.5 * (mid + section * (hat * 0.7 + pad * 1.2));
    right[i] = 0.5 * (mid + section * (hat * 1.3 + pad * 0.8));
  }
  return [left, right];
}
