/**
 * The plugin state (WamNode getState / setState, and the initialState of createInstance): plain JSON that holds
 * everything needed to reproduce the sound, including the learned or held gain (hosts bounce by cloning a
 * plugin into an OfflineAudioContext with getState -> setState).
 *
 *   { format: 'levelmatch', version: 1, parameters: { <every id>: value }, gain: <dB>, channels: 1..8,
 *     referenceTrack?, latencyMs? }
 *
 * What hosts send is more varied (see README "State"), so readState() accepts, besides that shape:
 * - nothing: `undefined` or `{}` (per-plugin host pages, Pedalboard2 presets) = the default state;
 * - the SDK's own shape `{ parameterValues: { <id>: { id, value, normalized? } } }` (the map's key is the id);
 * - a partial LevelMatch state: any subset of the fields above, or hand-written parameter values at the top level
 *   (`{ mode: 0 }`); unknown keys are ignored.
 * It rejects, with an Error naming the problem, a value of the wrong type, a non-finite number, a container that
 * is not a plain object (Map, Set, Date, RegExp, boxed primitives, Error, Promise, class instances...) and a
 * foreign `format`. Every field is read exactly once, so a getter cannot pass a check and then yield another value.
 *
 * readState() is the one validator, used on the main thread (setState rejects before sending anything) and again
 * in the processor. Pure module.
 */
import { PARAMETERS, PARAMETER_IDS, clampSlot, denormalizeSlot, type ParameterId } from './parameters.ts';
import { isPlainObject } from './plain-object.ts';
import { parseReferenceTrack, type ReferenceTrack } from './reference-track.ts';

export { isPlainObject };

export const STATE_FORMAT = 'levelmatch';
export const STATE_VERSION = 1;
export const DEFAULT_CHANNELS = 2;
export const MAX_CHANNELS = 8;
/** |gain| bound (dB): the widest range maxBoost / maxCut allow. */
export const MAX_STATE_GAIN = 40;
/** Largest applied latency a state carries (ms): the detector's range. */
export const MAX_STATE_LATENCY_MS = 1000;

export interface LevelMatchState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** Every parameter, plain (not normalised) values. */
  parameters: Record<ParameterId, number>;
  /** The engine gain in dB: the gain the follow logic holds (learned / held / current). */
  gain: number;
  /** Channel count of the node. Only used when an instance is created; a node's channel count is fixed. */
  channels: number;
  /** Track mode's reference track (its readings, never its audio); null or absent when there is none. */
  referenceTrack?: ReferenceTrack | null;
  /**
   * The automatic latency applied when the state was taken (ms, 0..1000), so that a bounce is aligned from its
   * first sample; absent when none (older states, autoLatency off).
   */
  latencyMs?: number;
}

/** What a state holds, validated and clamped; a field that is absent here was absent in the state. */
export interface PartialState {
  /** True for "no state at all" (`undefined`, or an object without own keys): the default state. */
  empty: boolean;
  parameters: Partial<Record<ParameterId, number>>;
  gain?: number;
  channels?: number;
  /** The reference track: absent = not given (unchanged), null = explicitly none. */
  referenceTrack?: ReferenceTrack | null;
  /** The applied automatic latency (ms, clamped to 0..MAX_STATE_LATENCY_MS); absent = not given. */
  latencyMs?: number;
}

/** A short description of a rejected value for an error message (never calls into the value). */
function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'number') return x !== x ? 'NaN' : String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (typeof x === 'function') return 'a function';
  if (typeof x !== 'object') return `a ${typeof x}`;
  if (Array.isArray(x)) return 'an array';
  const tag = Object.prototype.toString.call(x).slice(8, -1);
  if (tag !== 'Object') return /^[AEIOU]/.test(tag) ? `an ${tag}` : `a ${tag}`;
  if (isPlainObject(x)) return 'an object';
  return 'an instance of a class';
}

const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** A finite number, or throws naming `where`. */
function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where} must be a finite number, got ${describe(v)}`);
  return v;
}

/** Reads `{ <id>: number }` (unknown ids ignored) into `into`, each value read once. */
function readValues(given: Record<string, unknown>, where: string, into: Partial<Record<ParameterId, number>>): void {
  PARAMETERS.forEach((p, slot) => {
    if (!has(given, p.id)) return;
    const v = given[p.id];
    if (v === undefined) return;
    into[p.id] = clampSlot(slot, finite(v, `${where}.${p.id}`));
  });
}

/** Reads the SDK's `{ <id>: { id, value, normalized? } }`: the key is the parameter id (Pedalboard2 prefixes `id`). */
function readParameterValues(given: Record<string, unknown>, into: Partial<Record<ParameterId, number>>): void {
  PARAMETERS.forEach((p, slot) => {
    if (!has(given, p.id)) return;
    const entry = given[p.id];
    const where = `state.parameterValues.${p.id}`;
    if (!isPlainObject(entry)) throw new Error(`${where} must be a plain object { id, value, normalized }, got ${describe(entry)}`);
    const value = finite(entry.value, `${where}.value`);
    const normalized = entry.normalized;
    if (normalized !== undefined && typeof normalized !== 'boolean') {
      throw new Error(`${where}.normalized must be a boolean, got ${describe(normalized)}`);
    }
    into[p.id] = clampSlot(slot, normalized === true ? denormalizeSlot(slot, value) : value);
  });
}

/**
 * Validates a state and returns what it holds (clamped as automation would be). Throws an Error naming the
 * problem for anything it cannot take (see the file comment); nothing is half-read then.
 */
export function readState(x: unknown): PartialState {
  if (x === undefined) return { empty: true, parameters: {} };
  if (!isPlainObject(x)) throw new Error(`not a LevelMatch state (expected a plain object, got ${describe(x)})`);
  const keys = Object.keys(x);
  if (keys.length === 0) return { empty: true, parameters: {} };
  // Snapshot every field once.
  const format = has(x, 'format') ? x.format : undefined;
  const version = has(x, 'version') ? x.version : undefined;
  const parameters = has(x, 'parameters') ? x.parameters : undefined;
  const parameterValues = has(x, 'parameterValues') ? x.parameterValues : undefined;
  const gain = has(x, 'gain') ? x.gain : undefined;
  const channels = has(x, 'channels') ? x.channels : undefined;
  const referenceTrack = has(x, 'referenceTrack') ? x.referenceTrack : undefined;
  const latencyMs = has(x, 'latencyMs') ? x.latencyMs : undefined;

  if (format !== undefined && format !== STATE_FORMAT) throw new Error(`not a LevelMatch state (format ${describe(format)})`);
  if (format === STATE_FORMAT && version !== undefined) {
    if (typeof version !== 'number') throw new Error(`state.version must be a number, got ${describe(version)}`);
    if (version !== STATE_VERSION) throw new Error(`unsupported state version ${describe(version)}`);
  }
  const out: PartialState = { empty: false, parameters: {} };
  // Lowest precedence first: hand-written top-level values (only without `format`), the SDK's parameterValues,
  // then our own `parameters`.
  if (format === undefined) readValues(x, 'state', out.parameters);
  if (parameterValues !== undefined) {
    if (!isPlainObject(parameterValues)) throw new Error(`state.parameterValues must be a plain object, got ${describe(parameterValues)}`);
    readParameterValues(parameterValues, out.parameters);
  }
  if (parameters !== undefined) {
    if (!isPlainObject(parameters)) throw new Error(`state.parameters must be a plain object, got ${describe(parameters)}`);
    readValues(parameters, 'state.parameters', out.parameters);
  }
  if (gain !== undefined) out.gain = Math.min(MAX_STATE_GAIN, Math.max(-MAX_STATE_GAIN, finite(gain, 'state.gain')));
  if (channels !== undefined) {
    if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
      throw new Error(`state.channels must be an integer from 1 to ${MAX_CHANNELS}, got ${describe(channels)}`);
    }
    out.channels = channels;
  }
  if (referenceTrack !== undefined) out.referenceTrack = parseReferenceTrack(referenceTrack);
  if (latencyMs !== undefined) out.latencyMs = clampLatencyMs(finite(latencyMs, 'state.latencyMs'));
  return out;
}

/** A complete state: what `partial` holds over `base` (the default state when `partial` is empty). */
export function resolveState(partial: PartialState, base: LevelMatchState): LevelMatchState {
  const from = partial.empty ? defaultState(base.channels) : base;
  const parameters = {} as Record<ParameterId, number>;
  for (const id of PARAMETER_IDS) parameters[id] = partial.parameters[id] ?? from.parameters[id];
  const track = partial.referenceTrack !== undefined ? partial.referenceTrack : from.referenceTrack;
  const out: LevelMatchState = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    parameters,
    gain: partial.gain ?? from.gain,
    channels: partial.channels ?? from.channels,
    referenceTrack: track ?? null,
  };
  const latencyMs = partial.latencyMs ?? from.latencyMs;
  if (latencyMs !== undefined) out.latencyMs = latencyMs;
  return out;
}

/** A latency from a state, ms, clamped to 0..MAX_STATE_LATENCY_MS. */
function clampLatencyMs(ms: number): number {
  return Math.min(MAX_STATE_LATENCY_MS, Math.max(0, ms));
}

/**
 * Validates a state (readState) and completes it over `base` (default: the default state, as createInstance
 * does; setState completes over the instance's current state). Returns a new, complete state object.
 */
export function parseState(x: unknown, base: LevelMatchState = defaultState()): LevelMatchState {
  return resolveState(readState(x), base);
}

/** A state holding exactly what `partial` holds, in our own format (what the node sends to the processor). */
export function partialStateMessage(partial: PartialState): Record<string, unknown> {
  if (partial.empty) return { ...defaultState() };
  const m: Record<string, unknown> = { format: STATE_FORMAT, version: STATE_VERSION, parameters: { ...partial.parameters } };
  if (partial.gain !== undefined) m.gain = partial.gain;
  if (partial.channels !== undefined) m.channels = partial.channels;
  if (partial.referenceTrack !== undefined) m.referenceTrack = partial.referenceTrack;
  if (partial.latencyMs !== undefined) m.latencyMs = partial.latencyMs;
  return m;
}

/**
 * Builds a state from parameter values in slot order (clamped), the engine gain, the channel count and the applied
 * automatic latency (ms, omitted when undefined).
 */
export function makeState(values: ArrayLike<number>, gain: number, channels: number, latencyMs?: number): LevelMatchState {
  const parameters = {} as Record<ParameterId, number>;
  PARAMETER_IDS.forEach((id, slot) => {
    const v = clampSlot(slot, values[slot]);
    parameters[id] = v === v ? v : PARAMETERS[slot].defaultValue;
  });
  const g = gain === gain ? Math.min(MAX_STATE_GAIN, Math.max(-MAX_STATE_GAIN, gain)) : 0;
  const out: LevelMatchState = { format: STATE_FORMAT, version: STATE_VERSION, parameters, gain: g, channels, referenceTrack: null };
  if (latencyMs !== undefined && latencyMs === latencyMs) out.latencyMs = clampLatencyMs(latencyMs);
  return out;
}

/** The state of a fresh instance. */
export function defaultState(channels = DEFAULT_CHANNELS): LevelMatchState {
  return makeState(PARAMETERS.map((p) => p.defaultValue), 0, channels);
}

/** Parameter values of a (parsed) state in slot order. */
export function stateValues(state: LevelMatchState, into = new Float64Array(PARAMETERS.length)): Float64Array {
  PARAMETER_IDS.forEach((id, slot) => (into[slot] = state.parameters[id]));
  return into;
}
