/**
 * Files for the reference-track tests, written to host-test/out/track/ (served by the test server): a 16 s
 * float WAV of programme (drums, bass, chords with a quiet verse and a loud chorus: it has a loudness range),
 * and three bad files: text, a WAV cut in half, and an empty file. `levelmatch measure` gives the readings of the
 * good one, as the independent figure the plugin's own measurement must agree with.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './browser-session.ts';
import { makeWav } from '../lib/wav/write-test-wav.ts';
// @ts-expect-error: a plain JS module without declarations
import { programme } from '../scripts/programme.mjs';

export const TRACK_DIR = path.join(REPO_ROOT, 'host-test/out/track');
export const TRACK_URL_PATH = '/host-test/out/track';
export const SR = 48000;

export interface Fixtures {
  /** The good track: file path, URL path, file name. */
  song: { file: string; url: string; name: string };
  text: { file: string; url: string; name: string };
  truncated: { file: string; url: string; name: string };
  empty: { file: string; url: string; name: string };
  /** `levelmatch measure --json` on the song. */
  measured: { integrated: number; range: number; truePeak: number; duration: number };
}

export function writeFixtures(): Fixtures {
  mkdirSync(TRACK_DIR, { recursive: true });
  const at = (name: string) => ({ file: path.join(TRACK_DIR, name), url: `${TRACK_URL_PATH}/${name}`, name });
  const [l, r] = programme(SR, 16, 7) as [Float32Array, Float32Array];
  // About -20 LUFS integrated, with verse and chorus 8 dB apart (LRA about 8 LU).
  for (const ch of [l, r]) for (let i = 0; i < ch.length; i++) ch[i] *= 0.9;
  const wav = makeWav({ sampleRate: SR, format: 'float', bits: 32 }, [l, r]);
  const song = at('reference-song.wav');
  writeFileSync(song.file, wav);
  const text = at('notes.wav');
  writeFileSync(text.file, 'These are my mixing notes, not audio.\n'.repeat(20));
  const truncated = at('cut-off.wav');
  writeFileSync(truncated.file, wav.subarray(0, Math.floor(wav.length / 2)));
  const empty = at('empty.wav');
  writeFileSync(empty.file, Buffer.alloc(0));
  const cli = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/levelmatch.js'), 'measure', '--json', song.file], { encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`levelmatch measure failed: ${cli.stderr}`);
  const [m] = JSON.parse(cli.stdout) as Array<{ integrated: number; range: number; truePeak: number; duration: number }>;
  return { song, text, truncated, empty, measured: { integrated: m.integrated, range: m.range, truePeak: m.truePeak, duration: m.duration } };
}
