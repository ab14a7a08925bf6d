/**
 * LevelMatchNode: the plugin's AudioWorkletNode (main thread). Adds to the SDK's WamNode:
 * - loading the processor (once per BaseAudioContext) from processor.js beside this bundle;
 * - readouts: `node.readout` (the latest, decoded) and a `readout` event (CustomEvent, detail = the readout)
 *   about 25 times per second of audio;
 * - setState() that validates first and rejects (sending nothing) when the state is invalid;
 * - a `parameterchange` event (plain Event) after setParameterValues() or setState() from the main thread has
 *   reached the processor, so a GUI can re-read the values even while no audio runs (automation on the audio
 *   thread shows up in the readouts' `parameters` instead);
 * - resetMeters();
 * - the reference track of track mode (track-controller.ts): loadReferenceTrack(), pickReferenceTrack(),
 *   reloadReferenceTrack(), clearReferenceTrack(), `referenceTrack`, and its place in getState / setState.
 * - watching: the processor measures the readings that only feed readouts (a reference's own metering, the
 *   output meter, integrated loudness and LRA) only while the `readout` event has listeners (a GUI adds one);
 *   this node tells it when that changes. Without listeners `readout` still updates, once a second instead of
 *   25 times (issue 16), with those readings NaN.
 * - its channel configuration: the host sees and sets channelCount / channelCountMode / channelInterpretation as on
 *   any AudioNode, and the node is made 'explicit' with `channels` channels and 'speakers' (module.ts). That
 *   default runs as 'max' mode with the processor mixing an input of another count itself (channel-mix.ts: the
 *   browser's summing buses cost 3.4-4 % of a 256-instance render); any other configuration a host sets is handed
 *   to the browser as it is, and the processor mixes nothing.
 */
import { WamNode, type WebAudioModule } from '@webaudiomodules/sdk';
import type { WamEventMap, WamParameterDataMap } from '@webaudiomodules/api';
import { decodeReadout, type Readout } from './readout.ts';
import { partialStateMessage, readState, type LevelMatchState } from './state.ts';
import { TrackController, type LoadTrackOptions, type TrackSource } from './track-controller.ts';
import type { ReferenceTrack } from './reference-track.ts';

/** The `readout` event: `event.detail` is the readout (also in `node.readout`). */
export type ReadoutEvent = CustomEvent<Readout>;

/** The processor script, resolved against this bundle so the plugin loads from any origin or base path. */
export const PROCESSOR_URL = new URL('./processor.js', import.meta.url).href;

const loaded = new WeakMap<BaseAudioContext, Promise<void>>();

interface ChannelConfig { count: number; mode: ChannelCountMode; interpretation: ChannelInterpretation }
type ChannelAttribute = 'channelCount' | 'channelCountMode' | 'channelInterpretation';
const CHANNEL_COUNT_MODES: readonly string[] = ['max', 'clamped-max', 'explicit'];
const CHANNEL_INTERPRETATIONS: readonly string[] = ['speakers', 'discrete'];

export class LevelMatchNode extends WamNode {
  /**
   * Loads the SDK's function modules and then our processor into the context's AudioWorkletGlobalScope, once
   * per context (a failed load is retried by the next call).
   */
  static override addModules(audioContext: BaseAudioContext, moduleId: string): Promise<void> {
    let p = loaded.get(audioContext);
    if (p === undefined) {
      p = (async () => {
        await WamNode.addModules(audioContext, moduleId);
        await audioContext.audioWorklet.addModule(PROCESSOR_URL);
      })();
      p.catch(() => loaded.delete(audioContext));
      loaded.set(audioContext, p);
    }
    return p;
  }

  private _readout: Readout | null = null;
  /** The `readout` listeners registered (see watching above). */
  private readonly _readoutListeners = new Set<unknown>();
  private _watchSent = false;
  private _engineError: string | null = null;
  private readonly _tracks: TrackController;
  private readonly _trackAcks = new Map<number, () => void>();
  private _trackAckId = 0;

  /**
   * The channel configuration the host sees (see the header), null when the node was not made to present one
   * (it then is what the browser has).
   */
  private _channelConfig: ChannelConfig | null = null;
  /** The configuration whose mixing the processor does itself (module.ts); null: none. */
  private _shapedConfig: ChannelConfig | null = null;
  private _shapingSent = true;

  constructor(module: WebAudioModule, options: AudioWorkletNodeOptions) {
    super(module, options);
    if ((options.processorOptions as { shapeInputs?: unknown } | undefined)?.shapeInputs === true) {
      const count = options.channelCount ?? 2;
      this._shapedConfig = { count, mode: 'explicit', interpretation: 'speakers' };
      this._channelConfig = { ...this._shapedConfig };
    }
    (this._supportedEventTypes as Set<string>).add('readout');
    (this._supportedEventTypes as Set<string>).add('parameterchange');
    (this._supportedEventTypes as Set<string>).add('referencetrack');
    (this._supportedEventTypes as Set<string>).add('trackprogress');
    const initial = (options.processorOptions as { initialState?: LevelMatchState } | undefined)?.initialState?.referenceTrack ?? null;
    this._tracks = new TrackController(
      { context: this.context, instanceId: module.instanceId, sendTrackLoudness: (lufs) => this._sendTrackLoudness(lufs),
        dispatchEvent: (e) => this.dispatchEvent(e) },
      initial,
    );
  }

  /** Track mode's reference track (a copy of its readings), or null. */
  get referenceTrack(): ReferenceTrack | null {
    return this._tracks.track;
  }

  /**
   * Decodes (Blob / ArrayBuffer, with the context's decodeAudioData) and measures a reference track on the main
   * thread, then makes its integrated loudness the target of track mode. Resolves to { uri, name, integrated,
   * range, truePeak, duration }; a file that cannot be decoded, is cut off, empty or silent rejects with an Error
   * naming the problem, and the previous track stays.
   */
  loadReferenceTrack(source: TrackSource, options: LoadTrackOptions = {}): Promise<ReferenceTrack> {
    return this._tracks.load(source, options);
  }

  /** Lets the user pick an audio file of the host's project (assets extension) and loads it; null if cancelled. */
  pickReferenceTrack(options: Omit<LoadTrackOptions, 'name' | 'uri'> = {}): Promise<ReferenceTrack | null> {
    return this._tracks.pick(options);
  }

  /** Fetches the track again from the host (assets loadAsset) and measures it anew. */
  reloadReferenceTrack(options: Omit<LoadTrackOptions, 'name' | 'uri'> = {}): Promise<ReferenceTrack> {
    return this._tracks.reload(options);
  }

  /** Removes the reference track (track mode then holds its gain). */
  clearReferenceTrack(): Promise<void> {
    return this._tracks.clear();
  }

  private _sendTrackLoudness(lufs: number): Promise<void> {
    const id = ++this._trackAckId;
    return new Promise((resolve) => {
      this._trackAcks.set(id, resolve);
      this.port.postMessage({ levelmatch: 'track', id, integrated: Number.isFinite(lufs) ? lufs : null });
    });
  }

  override addEventListener<K extends keyof WamEventMap>(type: K, listener: (this: this | AudioWorkletNode, ev: CustomEvent<WamEventMap[K]>) => any, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: (this: this | AudioWorkletNode, ev: CustomEvent) => any, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: any, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
    if (type === 'readout' && listener !== null && listener !== undefined) {
      this._readoutListeners.add(listener);
      this.sendWatch();
    }
  }

  override removeEventListener<K extends keyof WamEventMap>(type: K, listener: (this: this | AudioWorkletNode, ev: CustomEvent<WamEventMap[K]>) => any, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: (this: this | AudioWorkletNode, ev: CustomEvent) => any, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: any, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
    if (type === 'readout') {
      this._readoutListeners.delete(listener);
      this.sendWatch();
    }
  }

  /** Tells the processor whether readings are watched, when that changed. */
  private sendWatch(): void {
    const on = this._readoutListeners.size > 0;
    if (on === this._watchSent) return;
    this._watchSent = on;
    this.port.postMessage({ levelmatch: 'watch', on });
  }

  /** The latest readout, or null before the first one. */
  get readout(): Readout | null {
    return this._readout;
  }

  /** Why the processor runs without its engine (audio then passes through unchanged), or null. */
  get engineError(): string | null {
    return this._engineError;
  }

  override _onMessage(message: MessageEvent): void {
    const data = message.data as { levelmatch?: unknown; data?: unknown; message?: unknown } | null;
    if (data !== null && typeof data === 'object' && typeof data.levelmatch === 'string') {
      if (data.levelmatch === 'readout' && data.data instanceof Float64Array) {
        const readout = decodeReadout(data.data);
        this._readout = readout;
        this.dispatchEvent(new CustomEvent('readout', { detail: readout }));
      } else if (data.levelmatch === 'track') {
        const id = (data as { id?: unknown }).id as number;
        this._trackAcks.get(id)?.();
        this._trackAcks.delete(id);
      } else if (data.levelmatch === 'error') {
        this._engineError = String(data.message);
        console.error(this._engineError);
      }
      return;
    }
    super._onMessage(message);
  }

  /** The processor's state: { format: 'levelmatch', version: 1, parameters, gain, channels }. */
  override async getState(): Promise<LevelMatchState> {
    const state: LevelMatchState = await super.getState();
    // Always present (null: no track), so restoring a saved state clears a track the instance has now, while a
    // partial state without the key leaves it as it is.
    return { ...state, referenceTrack: this._tracks.track };
  }

  /**
   * Restores a state. It is validated here first: an invalid state rejects with an Error naming the problem,
   * and nothing is sent (the current state stays). `undefined` or `{}` restores the defaults; a partial state
   * (or the SDK's `{ parameterValues }` shape) sets what it holds and leaves the rest as it is. The channel
   * count cannot change once the node exists: a state's `channels` only matters to createInstance.
   */
  override async setState(state?: unknown): Promise<void> {
    const partial = readState(state);
    await super.setState(partialStateMessage(partial));
    if (partial.empty) this._tracks.restored(null);
    else if (partial.referenceTrack !== undefined) this._tracks.restored(partial.referenceTrack);
    this.dispatchEvent(new Event('parameterchange'));
  }

  /** Sets parameter values (the SDK's message round trip), then fires `parameterchange`. */
  override async setParameterValues(parameterValues: WamParameterDataMap): Promise<void> {
    await super.setParameterValues(parameterValues);
    this.dispatchEvent(new Event('parameterchange'));
  }

  /** Resets the meters and readings (not the gain). */
  resetMeters(): void {
    this.port.postMessage({ levelmatch: 'resetMeters' });
  }

  /**
   * Applies the configuration the host set: the shaped one runs in 'max' mode with the processor mixing; any
   * other is the browser's own (the browser validated each value as it was set).
   */
  private _applyChannelConfig(config: ChannelConfig): void {
    const shaped = this._shapedConfig;
    const on = shaped !== null && config.count === shaped.count && config.mode === shaped.mode && config.interpretation === shaped.interpretation;
    baseChannelAccessor('channelCountMode').set!.call(this, on ? 'max' : config.mode);
    baseChannelAccessor('channelInterpretation').set!.call(this, config.interpretation);
    if (on === this._shapingSent) return;
    this._shapingSent = on;
    this.port.postMessage({ levelmatch: 'shapeInputs', on });
  }

  /** Stops processing (the processor leaves its link) and disconnects the node. */
  override destroy(): void {
    this._tracks.destroy();
    // The processor answers no more: settle pending track messages rather than leave their promises hanging.
    for (const resolve of this._trackAcks.values()) resolve();
    this._trackAcks.clear();
    super.destroy();
  }
}

/** The AudioNode accessor of a channel attribute, above LevelMatchNode (found once). */
const baseAccessors = new Map<ChannelAttribute, PropertyDescriptor>();
function baseChannelAccessor(name: ChannelAttribute): PropertyDescriptor {
  let d = baseAccessors.get(name);
  for (let o: object | null = Object.getPrototypeOf(LevelMatchNode.prototype) as object; d === undefined && o !== null; o = Object.getPrototypeOf(o) as object | null) {
    d = Object.getOwnPropertyDescriptor(o, name);
  }
  if (d === undefined || d.get === undefined || d.set === undefined) throw new Error(`LevelMatchNode: AudioNode has no ${name} accessor`);
  baseAccessors.set(name, d);
  return d;
}

// The channel attributes as the host sees them (see the header). Defined on the prototype rather than as class
// accessors: the DOM's types declare them as plain properties. A value the browser refuses throws (channelCount
// out of range) or is ignored (an unknown mode or interpretation), as on any AudioNode.
type Configured = { _channelConfig: ChannelConfig | null; _applyChannelConfig(c: ChannelConfig): void };
Object.defineProperty(LevelMatchNode.prototype, 'channelCount', {
  configurable: true,
  get(this: LevelMatchNode) {
    return (this as unknown as Configured)._channelConfig?.count ?? baseChannelAccessor('channelCount').get!.call(this);
  },
  set(this: LevelMatchNode, value: number) {
    const base = baseChannelAccessor('channelCount');
    base.set!.call(this, value);
    const self = this as unknown as Configured;
    if (self._channelConfig === null) return;
    self._channelConfig.count = base.get!.call(this) as number;
    self._applyChannelConfig(self._channelConfig);
  },
});

/** channelCountMode and channelInterpretation: enumerations, so an unknown value is ignored (WebIDL), never thrown. */
function presentEnumAttribute(name: 'channelCountMode' | 'channelInterpretation', field: 'mode' | 'interpretation', allowed: readonly string[]): void {
  Object.defineProperty(LevelMatchNode.prototype, name, {
    configurable: true,
    get(this: LevelMatchNode) {
      return (this as unknown as Configured)._channelConfig?.[field] ?? baseChannelAccessor(name).get!.call(this);
    },
    set(this: LevelMatchNode, value: string) {
      const self = this as unknown as Configured;
      if (self._channelConfig === null) {
        baseChannelAccessor(name).set!.call(this, value);
        return;
      }
      const v = String(value);
      if (!allowed.includes(v)) return;
      (self._channelConfig as Record<typeof field, string>)[field] = v;
      self._applyChannelConfig(self._channelConfig);
    },
  });
}
presentEnumAttribute('channelCountMode', 'mode', CHANNEL_COUNT_MODES);
presentEnumAttribute('channelInterpretation', 'interpretation', CHANNEL_INTERPRETATIONS);
