/**
 * The plugin's parameters: a public contract. Ids, their order (= the engine slots P of engine-abi.ts), ranges,
 * defaults and choice lists are what hosts store in projects and automation lanes: append, never reorder or
 * rename.
 *
 * One table drives the WamParameterInfo configurations, clamping/rounding, normalisation and validation. Pure
 * module (no DOM, no WAM SDK at run time): imported by the processor (audio thread), the node and the GUI.
 */
import type { WamParameterConfiguration, WamParameterType } from '@webaudiomodules/api';
import { PARAM_COUNT } from './engine-abi.ts';

export interface ParameterSpec {
  readonly id: ParameterId;
  readonly type: WamParameterType;
  readonly label: string;
  readonly defaultValue: number;
  readonly minValue: number;
  readonly maxValue: number;
  /** 1 for choice, int and boolean parameters (values are integers), 0 for continuous ones. */
  readonly discreteStep: number;
  /** Non-linear skew of the normalised range, WamParameterInfo semantics (0 = linear). */
  readonly exponent: number;
  readonly choices: readonly string[];
  readonly units: string;
}

export const PARAMETER_IDS = [
  'mode', 'link', 'detector', 'follow', 'response', 'tolerance', 'maxBoost', 'maxCut',
  'gate', 'target', 'offset', 'latency', 'ceiling', 'ceilingOn', 'listen', 'bypass',
  'ceilingInMatch', 'autoLock', 'autoLatency',
] as const;
export type ParameterId = (typeof PARAMETER_IDS)[number];

/** `track` (appended): target mode with the target taken from a reference track's integrated loudness. */
export const MODE_CHOICES = ['reference', 'match', 'sidechain', 'target', 'track'] as const;
export const DETECTOR_CHOICES = ['momentary', 'short-term', 'integrated', 'rms'] as const;
export const FOLLOW_CHOICES = ['continuous', 'learn', 'hold'] as const;
export const LISTEN_CHOICES = ['output', 'reference', 'delta'] as const;
/**
 * Link channels (the `link` parameter's range): one per matched pair in a session, so a page of a few hundred
 * tracks each with its own pair never has two pairs on one channel. It was 16 until issue 16's field check (a
 * session of 60 matched tracks needs 60 channels); a range only grows. A channel costs nothing until an instance
 * uses it (its ring, wam/link-bus.ts, is allocated then).
 */
export const LINK_CHANNEL_COUNT = 256;

type Row = Omit<ParameterSpec, 'id' | 'discreteStep' | 'exponent' | 'choices' | 'units'> & {
  choices?: readonly string[];
  units?: string;
};

const choice = (label: string, choices: readonly string[], defaultValue: number): Row => ({
  type: 'choice', label, choices, defaultValue, minValue: 0, maxValue: choices.length - 1,
});
const float = (label: string, units: string, minValue: number, maxValue: number, defaultValue: number): Row => ({
  type: 'float', label, units, minValue, maxValue, defaultValue,
});
const bool = (label: string, defaultValue: number): Row => ({ type: 'boolean', label, minValue: 0, maxValue: 1, defaultValue });

const ROWS: Readonly<Record<ParameterId, Row>> = {
  mode: choice('Mode', MODE_CHOICES, 1),
  link: { type: 'int', label: 'Link', minValue: 1, maxValue: LINK_CHANNEL_COUNT, defaultValue: 1 },
  detector: choice('Detector', DETECTOR_CHOICES, 1),
  follow: choice('Follow', FOLLOW_CHOICES, 0),
  response: float('Response', 's', 0.1, 30, 2),
  tolerance: float('Tolerance', 'dB', 0, 3, 0.5),
  maxBoost: float('Max boost', 'dB', 0, 40, 12),
  maxCut: float('Max cut', 'dB', 0, 40, 24),
  gate: float('Gate', 'LUFS', -90, -20, -50),
  target: float('Target', 'LUFS', -60, 0, -18),
  offset: float('Offset', 'dB', -24, 24, 0),
  latency: float('Latency', 'ms', 0, 1000, 0),
  ceiling: float('Ceiling', 'dBTP', -20, 0, 0),
  ceilingOn: bool('Ceiling on', 1),
  listen: choice('Listen', LISTEN_CHOICES, 0),
  bypass: bool('Bypass', 0),
  ceilingInMatch: bool('Ceiling in match modes', 0),
  autoLock: bool('Auto-lock', 0),
  autoLatency: bool('Auto latency', 1),
};

/** Every parameter, in slot order. */
export const PARAMETERS: readonly ParameterSpec[] = PARAMETER_IDS.map((id) => {
  const r = ROWS[id];
  const discrete = r.type !== 'float';
  return Object.freeze({
    id,
    type: r.type,
    label: r.label,
    defaultValue: r.defaultValue,
    minValue: r.minValue,
    maxValue: r.maxValue,
    discreteStep: discrete ? 1 : 0,
    exponent: 0,
    choices: Object.freeze([...(r.choices ?? [])]),
    units: r.units ?? '',
  });
});

if (PARAMETERS.length !== PARAM_COUNT) throw new Error('parameter table and engine slots disagree');

const INDEX: Readonly<Record<string, number>> = Object.fromEntries(PARAMETER_IDS.map((id, i) => [id, i]));

/** The slot (engine-abi P) of a parameter id, or -1 for an unknown id. */
export function parameterIndex(id: string): number {
  return Object.prototype.hasOwnProperty.call(INDEX, id) ? INDEX[id] : -1;
}

export function isParameterId(id: unknown): id is ParameterId {
  return typeof id === 'string' && parameterIndex(id) >= 0;
}

/** WamParameterConfiguration per id, for `new WamParameterInfo(id, config)` (fresh objects each call). */
export function parameterConfigs(): Record<ParameterId, WamParameterConfiguration> {
  const out = {} as Record<ParameterId, WamParameterConfiguration>;
  for (const p of PARAMETERS) {
    out[p.id] = {
      type: p.type,
      label: p.label,
      defaultValue: p.defaultValue,
      minValue: p.minValue,
      maxValue: p.maxValue,
      discreteStep: p.discreteStep,
      exponent: p.exponent,
      choices: [...p.choices],
      units: p.units,
    };
  }
  return out;
}

/** Default values in slot order (a new array). */
export function defaultParameterValues(): Float64Array {
  const v = new Float64Array(PARAMETERS.length);
  for (let i = 0; i < PARAMETERS.length; i++) v[i] = PARAMETERS[i].defaultValue;
  return v;
}

/**
 * Clamps a plain value into the parameter's range and rounds discrete parameters (choice, int, boolean) to the
 * nearest integer, like automation. +-Infinity clamp to the range's ends; NaN stays NaN (callers ignore it).
 * Allocation-free: safe on the audio thread.
 */
export function clampSlot(slot: number, value: number): number {
  const p = PARAMETERS[slot];
  if (value !== value) return NaN;
  let v = value < p.minValue ? p.minValue : value > p.maxValue ? p.maxValue : value;
  if (p.discreteStep > 0) v = Math.round(v);
  return v;
}

/** clampSlot by id. Throws a RangeError for an unknown id. */
export function clampParameter(id: ParameterId | string, value: number): number {
  const slot = parameterIndex(id);
  if (slot < 0) throw new RangeError(`unknown parameter "${id}"`);
  return clampSlot(slot, value);
}

// WamParameterInfo.normalize / denormalize, including the exponent skew (x ** 1.5 ** -e).
const normExp = (x: number, e: number): number => (e === 0 ? x : x ** (1.5 ** -e));
const denormExp = (x: number, e: number): number => (e === 0 ? x : x ** (1.5 ** e));

/** Plain value -> [0, 1] (the value is clamped first; NaN stays NaN). */
export function normalizeSlot(slot: number, value: number): number {
  const p = PARAMETERS[slot];
  const v = clampSlot(slot, value);
  return normExp((v - p.minValue) / (p.maxValue - p.minValue), p.exponent);
}

/** [0, 1] -> plain value, clamped and rounded like clampSlot (out-of-range input is clamped to [0, 1]). */
export function denormalizeSlot(slot: number, normalized: number): number {
  const p = PARAMETERS[slot];
  if (normalized !== normalized) return NaN;
  const n = normalized < 0 ? 0 : normalized > 1 ? 1 : normalized;
  return clampSlot(slot, denormExp(n, p.exponent) * (p.maxValue - p.minValue) + p.minValue);
}

export function normalizeParameter(id: ParameterId | string, value: number): number {
  const slot = parameterIndex(id);
  if (slot < 0) throw new RangeError(`unknown parameter "${id}"`);
  return normalizeSlot(slot, value);
}

export function denormalizeParameter(id: ParameterId | string, normalized: number): number {
  const slot = parameterIndex(id);
  if (slot < 0) throw new RangeError(`unknown parameter "${id}"`);
  return denormalizeSlot(slot, normalized);
}

/**
 * Validates a value for a parameter (as found in a saved state): must be a number and not NaN; out-of-range
 * values are clamped. Returns the clamped value, or an error message naming the problem (prefixed by `where`).
 */
export function validateParameterValue(id: ParameterId, value: unknown, where = `parameter ${id}`): number | string {
  if (typeof value !== 'number' || value !== value) return `${where} must be a number`;
  return clampSlot(parameterIndex(id), value);
}

/** A human-readable string for a value ("match", "2.0 s", "-18.0 LUFS", "on"). */
export function formatParameter(id: ParameterId, value: number): string {
  const p = PARAMETERS[parameterIndex(id)];
  const v = clampSlot(parameterIndex(id), value);
  if (p.type === 'choice') return p.choices[v] ?? String(v);
  if (p.type === 'boolean') return v ? 'on' : 'off';
  if (p.type === 'int') return String(v);
  const digits = p.units === 'ms' ? 0 : 1;
  return `${v.toFixed(digits)} ${p.units}`;
}
