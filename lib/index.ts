/**
 * levelmatch: EBU R128 / ITU-R BS.1770-5 loudness metering in WebAssembly, for Node and browsers.
 */
export { LoudnessMeter, CHUNK_FRAMES, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE, MAX_CHANNELS } from './loudness-meter.ts';
export { LAYOUTS, defaultLayout, resolveLayout, roleWeight } from './layouts.ts';
export { dspWasmBytes, compileDsp } from './wasm.ts';
export type { LayoutName, ChannelRole, LoudnessMeterOptions, LoudnessResult } from './types.ts';
export { PRESETS, findPreset, type LoudnessPreset } from './presets.ts';
