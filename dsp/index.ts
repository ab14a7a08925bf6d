/**
 * The WebAssembly module's exports. A meter is referred to by the address of its Meter object (a handle);
 * several meters may live in one module instance. The module imports nothing (runtime "stub", abort disabled)
 * and grows its memory only while meters are being created.
 *
 * Protocol: createMeter -> setWeight per channel -> repeatedly { write <= maxFrames f32 samples per channel at
 * inputPointer(h, c); processFrames(h, frames) } -> read results at any time.
 */
import { Meter, MAX_CHANNELS } from './meter';

export function createMeter(sampleRate: f64, channels: i32, maxFrames: i32): usize {
  if (!(sampleRate >= 8000.0 && sampleRate <= 384000.0)) return 0;
  if (channels < 1 || channels > MAX_CHANNELS || maxFrames < 1) return 0;
  return changetype<usize>(new Meter(sampleRate, channels, maxFrames));
}

export function setWeight(h: usize, channel: i32, weight: f64): void {
  changetype<Meter>(h).setWeight(channel, weight);
}

/** Turns true-peak measurement on (default) or off. */
export function enableTruePeak(h: usize, enabled: bool): void {
  changetype<Meter>(h).truePeakEnabled = enabled;
}

export function inputPointer(h: usize, channel: i32): usize {
  return changetype<Meter>(h).input(channel);
}

export function processFrames(h: usize, frames: i32): void {
  const m = changetype<Meter>(h);
  if (frames > 0 && frames <= m.maxFrames) m.process(frames);
}

export function resetMeter(h: usize): void {
  changetype<Meter>(h).reset();
}

export function momentary(h: usize): f64 {
  return changetype<Meter>(h).momentary();
}

export function shortTerm(h: usize): f64 {
  return changetype<Meter>(h).shortTerm();
}

export function momentaryMax(h: usize): f64 {
  return changetype<Meter>(h).momentaryMax();
}

export function shortTermMax(h: usize): f64 {
  return changetype<Meter>(h).shortTermMax();
}

export function integrated(h: usize): f64 {
  return changetype<Meter>(h).integrated();
}

export function loudnessRange(h: usize): f64 {
  return changetype<Meter>(h).loudnessRange();
}

export function truePeak(h: usize, channel: i32): f64 {
  return changetype<Meter>(h).truePeak(channel);
}

export function samplePeak(h: usize, channel: i32): f64 {
  return changetype<Meter>(h).samplePeak(channel);
}

export function nonFinite(h: usize): f64 {
  return changetype<Meter>(h).nonFinite();
}

/** Frames per hop (how often M and S are re-evaluated) and hops per 100 ms, for diagnostics and tests. */
export function hopFrames(h: usize): i32 {
  return changetype<Meter>(h).hop;
}
