/**
 * The plugin state (WamNode getState / setState, and the initialState of createInstance): plain JSON that holds
 * everything needed to reproduce the sound, including the learned or held gain (hosts bounce by cloning a
 * plugin into an OfflineAudioContext with getState -> setState).
 *
 *   { format: 'levelmatch', version: 1, parameters: { <every id>: value }, gain: <dB>, channels: 1..8 }
 *
 * parseState() is the one validator, used on the main thread (setState rejects before sending anything) and
 * again in the processor. Pure module.
 */
import { PARAMETERS, PARAMETER_IDS, clampSlot, type ParameterId } from './parameters.ts';

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
  /**
   * The automatic latency applied when the state was taken (ms, 0..1000), so that a bounce is aligned from its
   * first sample; absent when none (older states, autoLatency off).
   */
  latencyMs?: number;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x);

const describe = (x: unknown): string => {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'number' && x !== x) return 'NaN';
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (typeof x === 'object') return 'an object';
  return String(x);
};

/**
 * Validates a state. Returns a new, complete state object: missing parameters take their defaults, values
 * out of range are clamped (as automation would be), a missing gain is 0 dB and missing channels 2; unknown
 * keys in `parameters` are ignored. Throws an Error naming the problem for anything else (not an object, another
 * format or version, a value that is not a number, NaN).
 */
export function parseState(x: unknown): LevelMatchState {
  if (!isPlainObject(x)) throw new Error(`not a LevelMatch state (expected an object, got ${describe(x)})`);
  if (x.format !== STATE_FORMAT) {
    throw new Error(`not a LevelMatch state (format ${'format' in x ? describe(x.format) : 'missing'})`);
  }
  if (typeof x.version !== 'number') throw new Error(`state.version must be a number, got ${describe(x.version)}`);
  if (x.version !== STATE_VERSION) throw new Error(`unsupported state version ${x.version}`);

  const parameters = {} as Record<ParameterId, number>;
  const given = x.parameters;
  if (given !== undefined && !isPlainObject(given)) throw new Error(`state.parameters must be an object, got ${describe(given)}`);
  PARAMETERS.forEach((p, slot) => {
    const v = given === undefined || !Object.prototype.hasOwnProperty.call(given, p.id) ? undefined : given[p.id];
    if (v === undefined) {
      parameters[p.id] = p.defaultValue;
      return;
    }
    if (typeof v !== 'number' || v !== v) throw new Error(`state.parameters.${p.id} must be a number, got ${describe(v)}`);
    parameters[p.id] = clampSlot(slot, v);
  });

  let gain = 0;
  if (x.gain !== undefined) {
    if (typeof x.gain !== 'number' || x.gain !== x.gain) throw new Error(`state.gain must be a number, got ${describe(x.gain)}`);
    gain = Math.min(MAX_STATE_GAIN, Math.max(-MAX_STATE_GAIN, x.gain));
  }

  let channels = DEFAULT_CHANNELS;
  if (x.channels !== undefined) {
    const c = x.channels;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > MAX_CHANNELS) {
      throw new Error(`state.channels must be an integer from 1 to ${MAX_CHANNELS}, got ${describe(c)}`);
    }
    channels = c;
  }
  const out: LevelMatchState = { format: STATE_FORMAT, version: STATE_VERSION, parameters, gain, channels };
  if (x.latencyMs !== undefined) {
    if (typeof x.latencyMs !== 'number' || x.latencyMs !== x.latencyMs) {
      throw new Error(`state.latencyMs must be a number, got ${describe(x.latencyMs)}`);
    }
    out.latencyMs = Math.min(MAX_STATE_LATENCY_MS, Math.max(0, x.latencyMs));
  }
  return out;
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
  const out: LevelMatchState = { format: STATE_FORMAT, version: STATE_VERSION, parameters, gain: g, channels };
  if (latencyMs !== undefined && latencyMs === latencyMs) out.latencyMs = Math.min(MAX_STATE_LATENCY_MS, Math.max(0, latencyMs));
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
