/**
 * The field set (issue 9): programmes x effects x modes, at the plugin's defaults unless a scenario says
 * otherwise. Shared by `npm run evaluate` (scripts/evaluate.ts) and the field tests. Test support only.
 */
import { chain, movingGain, overshootCompressor, saturationEffect, tiltEffect, transientCompressor } from './effects.ts';
import { music, speech, transients, type Section } from './programmes.ts';
import type { Scenario } from './run.ts';

export const FS = 48000;

/** Music with 10-14 dB section jumps and a quiet breakdown; sections of 15 s (the target-mode case). */
export const SECTIONS: Section[] = [
  { seconds: 15, levelDb: -4, kind: 'full' }, // verse
  { seconds: 15, levelDb: 8, kind: 'full' }, // chorus, +12 dB
  { seconds: 15, levelDb: -2, kind: 'breakdown' }, // breakdown, quiet
  { seconds: 15, levelDb: 6, kind: 'full' }, // last chorus
];
/** A shorter song for match-mode scenarios: 12 s sections, 14 dB and 10 dB jumps. */
export const SONG: Section[] = [
  { seconds: 12, levelDb: -6, kind: 'full' },
  { seconds: 12, levelDb: 8, kind: 'full' },
  { seconds: 12, levelDb: -2, kind: 'full' },
];

export const musicSections = () => music(FS, SECTIONS, 11, 'music 4 x 15 s');
export const song = () => music(FS, SONG, 23, 'song 3 x 12 s');
export const talk = () => speech(FS, 30, 5);
export const peaks = () => transients(FS, 24, 9);

export const SCENARIOS: Scenario[] = [
  { name: 'target: music, 12 dB sections, breakdown', mode: 'target', programme: musicSections },
  { name: 'target: speech with pauses', mode: 'target', programme: talk },
  { name: 'target: sharp transients (ceiling)', mode: 'target', programme: peaks },
  { name: 'match: flat gain moved +12 / -12 dB', mode: 'match', programme: song, effect: () => movingGain(FS, [[6, 12], [18, 0], [30, -12]]), moves: [6, 18, 30] },
  { name: 'match: compressor, transients pass', mode: 'match', programme: song, effect: () => transientCompressor(FS), params: { maxBoost: 30 } },
  { name: 'match: compressor, overshoot, +14 dB make-up', mode: 'match', programme: song, effect: () => overshootCompressor(FS) },
  { name: 'match: saturation', mode: 'match', programme: song, effect: () => saturationEffect(12, -3) },
  { name: 'match: EQ tilt', mode: 'match', programme: song, effect: () => tiltEffect(FS, 6, 800) },
  { name: 'match: speech, compressor + tilt', mode: 'match', programme: talk, effect: () => chain(transientCompressor(FS), tiltEffect(FS, 4, 1000)), params: { maxBoost: 30 } },
  { name: 'match: fresh instance behind +12 dB', mode: 'match', programme: song, effect: () => movingGain(FS, [], 12) },
];
