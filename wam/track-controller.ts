/**
 * The node's reference track (track mode), main thread: loads and measures a track (lazily loading
 * dist/plugin/track.js, the meter), keeps its readings, sends the audio thread the one number it needs (the
 * integrated loudness), and speaks to the host's assets extension. LevelMatchNode owns one and forwards to it.
 *
 * Events on the node: `referencetrack` (the track changed: loaded, restored by setState, cleared) and
 * `trackprogress` (CustomEvent, detail { done, total, fraction, name }: frames measured so far).
 * A failed load rejects with an Error naming the file and the problem, and the previous track stays.
 */
import { parseReferenceTrack, type ReferenceTrack } from './reference-track.ts';
import { hostAssets, loadAudioAsset, pickAudioAsset } from './host-assets.ts';
import type * as TrackBundle from './track-measure.ts';

/** The meter bundle, beside this one. */
export const TRACK_URL = new URL('./track.js', import.meta.url).href;
let bundle: Promise<typeof TrackBundle> | null = null;
function loadBundle(): Promise<typeof TrackBundle> {
  bundle ??= (import(TRACK_URL) as Promise<typeof TrackBundle>).catch((e: unknown) => {
    bundle = null;
    throw e;
  });
  return bundle;
}

export type TrackSource = Blob | ArrayBuffer | ArrayBufferView | AudioBuffer;

export interface LoadTrackOptions {
  /** Shown in the GUI; default: the Blob's file name, else 'Reference track'. */
  name?: string;
  /** Where it came from (the host's asset URI); default ''. */
  uri?: string;
  /** Called after each measured chunk with the fraction done (0..1]. */
  onProgress?: (fraction: number) => void;
}

/** What the controller needs from the node. */
export interface TrackHost {
  dispatchEvent(event: Event): boolean;
  readonly context: BaseAudioContext;
  readonly instanceId: string;
  /** Sends the audio thread the track loudness (NaN: none) and resolves once it is in use. */
  sendTrackLoudness(lufs: number): Promise<void>;
}

export class TrackController {
  private current: ReferenceTrack | null;
  /** Bumped by every load, clear and restore: a load that finishes after a newer one must not win. */
  private generation = 0;
  private registered = false;

  constructor(private readonly host: TrackHost, initial: ReferenceTrack | null) {
    this.current = initial;
    const assets = hostAssets();
    if (assets !== null) {
      assets.register(host.instanceId, { fetchAssetList: () => this.assetList() });
      this.registered = true;
    }
  }

  /** A copy of the track in use, or null. */
  get track(): ReferenceTrack | null {
    return this.current === null ? null : { ...this.current };
  }

  /** The assets of the project this instance uses: the track, when it came from the host (has a URI). */
  assetList(): Array<{ uri: string; name: string }> {
    const t = this.current;
    return t !== null && t.uri !== '' ? [{ uri: t.uri, name: t.name }] : [];
  }

  /** Decodes and measures a track, then makes it the target of track mode. Resolves to its readings. */
  async load(source: TrackSource, options: LoadTrackOptions = {}): Promise<ReferenceTrack> {
    const gen = ++this.generation;
    const fileName = typeof File !== 'undefined' && source instanceof File ? source.name : '';
    const name = typeof options.name === 'string' && options.name !== '' ? options.name : fileName || 'Reference track';
    const uri = typeof options.uri === 'string' ? options.uri : '';
    let track: ReferenceTrack;
    try {
      const m = await loadBundle();
      const buffer = await m.decodeTrack(this.host.context, source);
      const r = await m.measureTrack(buffer, (done, total) => {
        if (gen !== this.generation) return;
        const fraction = done / total;
        options.onProgress?.(fraction);
        this.host.dispatchEvent(new CustomEvent('trackprogress', { detail: { done, total, fraction, name } }));
      });
      track = parseReferenceTrack({ uri, name, integrated: r.integrated, range: r.range, truePeak: r.truePeak, duration: r.duration }, 'the track')!;
    } catch (e) {
      throw new Error(`could not load "${name}" as the reference track: ${e instanceof Error ? e.message : String(e)}; the previous track stays`);
    }
    if (gen !== this.generation) throw new Error(`"${name}" was replaced by a newer reference track before it was measured`);
    await this.host.sendTrackLoudness(track.integrated);
    this.current = track;
    this.host.dispatchEvent(new Event('referencetrack'));
    return { ...track };
  }

  /** Removes the track: track mode then holds its gain (status noReference). */
  async clear(): Promise<void> {
    this.generation++;
    await this.host.sendTrackLoudness(NaN);
    this.current = null;
    this.host.dispatchEvent(new Event('referencetrack'));
  }

  /** A state was restored (the audio thread got the number with it): its track, or none, is now in use. */
  restored(track: ReferenceTrack | null): void {
    this.generation++;
    this.current = track === null ? null : { ...track };
    this.host.dispatchEvent(new Event('referencetrack'));
  }

  /** Lets the user pick an audio file of the host's project and loads it; null when cancelled. */
  async pick(options: Omit<LoadTrackOptions, 'name' | 'uri'> = {}): Promise<ReferenceTrack | null> {
    const picked = await pickAudioAsset(this.host.instanceId);
    if (picked === null) return null;
    return this.load(picked.content, { ...options, name: picked.asset.name, uri: picked.asset.uri });
  }

  /**
   * Fetches the track in use again from the host (loadAsset) and measures it anew. Only needed to re-measure:
   * the state already holds the readings, so a reload works without the file.
   */
  async reload(options: Omit<LoadTrackOptions, 'name' | 'uri'> = {}): Promise<ReferenceTrack> {
    const t = this.current;
    if (t === null || t.uri === '') throw new Error('no reference track from the host to fetch again');
    const content = await loadAudioAsset(this.host.instanceId, t.uri);
    return this.load(content, { ...options, name: t.name, uri: t.uri });
  }

  destroy(): void {
    if (this.registered) hostAssets()?.register(this.host.instanceId);
    this.registered = false;
    this.generation++;
  }
}
