/**
 * dist/plugin/index.js: the LevelMatch Web Audio Module. Its default export is the WebAudioModule class;
 * the named exports are the plugin's public contract for hosts and GUIs (pure helpers, no side effects).
 */
export { LevelMatch as default, LevelMatch } from './module.ts';
export { DESCRIPTOR, THUMBNAIL_URL } from './descriptor.ts';
export { LevelMatchNode, PROCESSOR_URL } from './node.ts';
export type { ReadoutEvent } from './node.ts';
export { IDENTIFIER } from './identifier.ts';
export {
  PARAMETERS, PARAMETER_IDS, MODE_CHOICES, DETECTOR_CHOICES, FOLLOW_CHOICES, LISTEN_CHOICES, LINK_CHANNEL_COUNT,
  parameterIndex, parameterConfigs, clampParameter, normalizeParameter, denormalizeParameter, formatParameter,
  defaultParameterValues,
} from './parameters.ts';
export type { ParameterId, ParameterSpec } from './parameters.ts';
export { parseState, readState, defaultState, isPlainObject, STATE_FORMAT, STATE_VERSION } from './state.ts';
export type { LevelMatchState, PartialState } from './state.ts';
export { decodeReadout, decodeStatus } from './readout.ts';
export type { Readout, ReadoutStatus, LoudnessReadout, SignalReadout } from './readout.ts';
