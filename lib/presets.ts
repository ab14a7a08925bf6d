/**
 * Delivery loudness targets by name: one table for the CLI (`--preset`) and, later, the plugin's target mode.
 * Values are the platforms' published integrated-loudness targets and true-peak ceilings; the sources are the
 * standards (EBU R128 2023, ATSC A/85:2013) or the platforms' own delivery specs as publicly stated.
 * `id`s are a public contract: append, never rename.
 */
export interface LoudnessPreset {
  id: string;
  name: string;
  /** Integrated loudness target (LUFS). */
  target: number;
  /** Target for mono files, where the spec gives one (podcasts: 3 LU under stereo, the same perceived level). */
  targetMono?: number;
  /** True-peak ceiling (dBTP). */
  truePeak: number;
}

export const PRESETS: readonly LoudnessPreset[] = [
  { id: 'spotify', name: 'Spotify', target: -14, truePeak: -1 },
  { id: 'youtube', name: 'YouTube', target: -14, truePeak: -1 },
  { id: 'tidal', name: 'Tidal', target: -14, truePeak: -1 },
  { id: 'amazon', name: 'Amazon Music', target: -14, truePeak: -1 },
  { id: 'apple', name: 'Apple Music', target: -16, truePeak: -1 },
  { id: 'deezer', name: 'Deezer', target: -15, truePeak: -1 },
  { id: 'ebu', name: 'EBU R128 broadcast', target: -23, truePeak: -1 },
  { id: 'atsc', name: 'ATSC A/85 (US broadcast)', target: -24, truePeak: -2 },
  { id: 'netflix', name: 'Netflix (dialogue-gated spec, approximated by programme loudness)', target: -27, truePeak: -2 },
  { id: 'podcast', name: 'Podcast (Apple/Spotify guidance)', target: -16, targetMono: -19, truePeak: -1 },
  // ReplayGain 2.0 defines a reference level of -18 LUFS and no ceiling; -1 dBTP as for the others.
  { id: 'replaygain', name: 'ReplayGain 2.0 reference', target: -18, truePeak: -1 },
];

export function findPreset(id: string): LoudnessPreset | undefined {
  return PRESETS.find((p) => p.id === id.toLowerCase());
}
