/**
 * The GUI's latency line: the delay applied to the reference, how it was found and how sure the detector is.
 * Pure (no DOM), so it is unit-tested.
 */
import type { LatencyReadout } from '../wam/readout.ts';

export interface LatencyLine {
  /** e.g. "37.3 ms" or "0 ms". */
  value: string;
  /** e.g. "detected, 96 % sure", "manual", "measuring…". */
  how: string;
  /** Longer text for a tooltip / the accessible description. */
  title: string;
}

const ms = (frames: number, sampleRate: number): string => {
  if (!(sampleRate > 0)) return `${Math.round(frames)} fr`;
  const v = (frames * 1000) / sampleRate;
  return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
};

/** The line for a readout's latency part; `autoLatency` is the parameter's value (0 / 1). */
export function latencyLine(l: LatencyReadout, sampleRate: number, autoLatency: number): LatencyLine {
  const applied = Number.isFinite(l.appliedFrames) ? l.appliedFrames : 0;
  const value = applied === 0 ? '0 ms' : ms(applied, sampleRate);
  const sure = Number.isFinite(l.confidence) ? `${Math.round(l.confidence * 100)} % sure` : '';
  const frames = `${Math.round(applied)} frames`;
  if (autoLatency !== 1 || l.source === 'manual') {
    return { value, how: 'manual', title: `Reference delayed by ${frames}: the Latency knob (auto latency off)` };
  }
  const latest = Number.isFinite(l.detectedFrames) ? `latest estimate ${Math.round(l.detectedFrames)} frames, ${sure}` : 'no estimate yet';
  if (l.source === 'detected') {
    return { value, how: `detected${sure ? `, ${sure}` : ''}`, title: `Reference delayed by ${frames}, measured from the programme (${latest})` };
  }
  if (l.source === 'restored') {
    return { value, how: 'from the saved state', title: `Reference delayed by ${frames}, as saved; re-measuring (${latest})` };
  }
  return { value, how: sure ? `measuring… ${sure}` : 'measuring…', title: `No latency detected yet: the reference is not delayed (${latest})` };
}
