/**
 * Loudness presets for target and track modes: the level a platform or a standard normalises to, and the true
 * peak it asks for. Choosing one sets the parameters `target` (LUFS) and `ceiling` (dBTP) and turns the ceiling
 * on. Pure data and one lookup; no DOM, no WAM SDK.
 *
 * Sources (facts, our wording): EBU R 128 (2023) -23 LUFS, max -1 dBTP; ATSC A/85 (2013) -24 LKFS, -2 dBTP;
 * Netflix sound mix specification -27 LKFS dialogue-gated, -2 dBTP (we meter programme loudness, not
 * dialogue-gated); podcasts: -16 LUFS stereo, -19 LUFS mono, -1 dBTP (common practice and the podcast platforms'
 * guidance: a mono file at -19, played on both speakers, is about as loud as a stereo one at -16); the platforms'
 * published playback levels (Spotify, YouTube, Tidal, Amazon Music
 * -14 LUFS, Apple Music -16, Deezer -15; each recommends -1 dBTP); ReplayGain 2.0 reference level -18 LUFS.
 */

export interface LoudnessPreset {
  /** Stable id (lowercase, no spaces): what a GUI or a CLI stores. */
  readonly id: string;
  readonly name: string;
  /** Integrated loudness, LUFS. */
  readonly target: number;
  /** True-peak ceiling, dBTP. */
  readonly ceiling: number;
}

/**
 * ReplayGain 2.0 specifies a loudness but no ceiling (a player avoids clipping with the stored peak). We pick
 * -1 dBTP, the streaming platforms' figure: it leaves room for lossy encoding (AES TD1004).
 */
export const REPLAYGAIN_CEILING = -1;

/** In the order a menu shows them. */
export const LOUDNESS_PRESETS: readonly LoudnessPreset[] = Object.freeze([
  { id: 'spotify', name: 'Spotify', target: -14, ceiling: -1 },
  { id: 'youtube', name: 'YouTube', target: -14, ceiling: -1 },
  { id: 'tidal', name: 'Tidal', target: -14, ceiling: -1 },
  { id: 'amazon', name: 'Amazon Music', target: -14, ceiling: -1 },
  { id: 'apple-music', name: 'Apple Music', target: -16, ceiling: -1 },
  { id: 'deezer', name: 'Deezer', target: -15, ceiling: -1 },
  { id: 'ebu-r128', name: 'EBU R128', target: -23, ceiling: -1 },
  { id: 'atsc-a85', name: 'ATSC A/85', target: -24, ceiling: -2 },
  { id: 'netflix', name: 'Netflix', target: -27, ceiling: -2 },
  { id: 'podcast-stereo', name: 'Podcast (stereo)', target: -16, ceiling: -1 },
  { id: 'podcast-mono', name: 'Podcast (mono)', target: -19, ceiling: -1 },
  { id: 'replaygain-2', name: 'ReplayGain 2.0', target: -18, ceiling: REPLAYGAIN_CEILING },
].map((p) => Object.freeze(p)));

/**
 * How close (dB) a parameter must be to a preset's value to count as matching it: parameters are stored as
 * 32-bit floats by some hosts, and a knob may land a few thousandths off; a user's 0.1 dB change is a change.
 */
export const PRESET_TOLERANCE = 0.005;

/** The preset with this id, or undefined. */
export function presetById(id: string): LoudnessPreset | undefined {
  return LOUDNESS_PRESETS.find((p) => p.id === id);
}

/**
 * The presets the current values match (several share -14 / -1), in table order; empty when none does. A preset
 * needs the ceiling on: with it off, the values no longer honour the preset's true-peak limit.
 */
export function matchingPresets(target: number, ceiling: number, ceilingOn = true): LoudnessPreset[] {
  if (!ceilingOn) return [];
  return LOUDNESS_PRESETS.filter((p) => Math.abs(p.target - target) <= PRESET_TOLERANCE && Math.abs(p.ceiling - ceiling) <= PRESET_TOLERANCE);
}

/** The parameter values a preset sets. */
export function presetParameters(p: LoudnessPreset): { target: number; ceiling: number; ceilingOn: number } {
  return { target: p.target, ceiling: p.ceiling, ceilingOn: 1 };
}
