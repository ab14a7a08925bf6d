/**
 * The plugin's identity, shared by the main-thread bundle (dist/plugin/index.js) and the audio-thread bundle
 * (dist/plugin/processor.js). The identifier is the WAM moduleId, the key of the plugin's module scope in the
 * AudioWorkletGlobalScope and the AudioWorklet processor name: it must never collide with another plugin's.
 */
export const IDENTIFIER = 'org.levelmatch.LevelMatch';
