/**
 * The reference track of track mode, as the state saves it: where it came from and its measured readings, never
 * its audio. Reloading a project, a bounce or a per-track export (a fresh OfflineAudioContext) keeps the target
 * from these numbers alone; the file is needed again only to measure it anew. Pure module.
 *
 *   referenceTrack: { uri, name, integrated, range, truePeak, duration }
 */
import { isPlainObject } from './plain-object.ts';

export interface ReferenceTrack {
  /** Where the host (or the user) got it: an assets-extension URI, a file name, or '' when unknown. */
  uri: string;
  /** A friendly name to show. */
  name: string;
  /** Integrated loudness, LUFS (BS.1770-5 gated, finite: a silent track is refused when loaded). */
  integrated: number;
  /** Loudness range, LU (EBU Tech 3342). */
  range: number;
  /** Largest true peak over the channels, dBTP (BS.1770-5 Annex 2); finite, as the track is not silent. */
  truePeak: number;
  /** Seconds. */
  duration: number;
}

/** Longest uri / name kept (characters): a state is a small JSON object, not a place for data URIs. */
export const MAX_TRACK_TEXT = 2048;


/**
 * Validates `referenceTrack` of a state: undefined or null mean no track (returns null); otherwise a plain
 * object with string `uri` and `name` (at most MAX_TRACK_TEXT characters) and finite numbers `integrated`,
 * `range` (>= 0), `truePeak` and `duration` (>= 0). Throws an Error naming the field otherwise. Returns a copy
 * holding those six fields only.
 */
export function parseReferenceTrack(x: unknown, where = 'state.referenceTrack'): ReferenceTrack | null {
  if (x === undefined || x === null) return null;
  if (!isPlainObject(x)) throw new Error(`${where} must be an object or null`);
  const text = (key: 'uri' | 'name'): string => {
    const v = x[key];
    if (typeof v !== 'string') throw new Error(`${where}.${key} must be a string`);
    if (v.length > MAX_TRACK_TEXT) throw new Error(`${where}.${key} is longer than ${MAX_TRACK_TEXT} characters`);
    return v;
  };
  const num = (key: 'integrated' | 'range' | 'truePeak' | 'duration', min = -Infinity): number => {
    const v = x[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}.${key} must be a finite number`);
    if (v < min) throw new Error(`${where}.${key} must be at least ${min}`);
    return v;
  };
  return {
    uri: text('uri'),
    name: text('name'),
    integrated: num('integrated'),
    range: num('range', 0),
    truePeak: num('truePeak'),
    duration: num('duration', 0),
  };
}
