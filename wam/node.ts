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
 * - watching: the processor measures the readings that only feed readouts (a reference's own metering, the
 *   output meter, integrated loudness and LRA) only while the `readout` event has listeners (a GUI adds one);
 *   this node tells it when that changes. Without listeners `readout` still updates, with those readings NaN.
 */
import { WamNode, type WebAudioModule } from '@webaudiomodules/sdk';
import type { WamEventMap, WamParameterDataMap } from '@webaudiomodules/api';
import { decodeReadout, type Readout } from './readout.ts';
import { parseState, type LevelMatchState } from './state.ts';

/** The processor script, resolved against this bundle so the plugin loads from any origin or base path. */
export const PROCESSOR_URL = new URL('./processor.js', import.meta.url).href;

const loaded = new WeakMap<BaseAudioContext, Promise<void>>();

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

  constructor(module: WebAudioModule, options: AudioWorkletNodeOptions) {
    super(module, options);
    (this._supportedEventTypes as Set<string>).add('readout');
    (this._supportedEventTypes as Set<string>).add('parameterchange');
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
      } else if (data.levelmatch === 'error') {
        this._engineError = String(data.message);
        console.error(this._engineError);
      }
      return;
    }
    super._onMessage(message);
  }

  /** The processor's state: { format: 'levelmatch', version: 1, parameters, gain, channels }. */
  override getState(): Promise<LevelMatchState> {
    return super.getState();
  }

  /**
   * Restores a state. It is validated here first: an invalid state rejects with an Error naming the problem,
   * and nothing is sent (the current state stays). The channel count cannot change once the node exists: a
   * state's `channels` only matters to createInstance.
   */
  override async setState(state: unknown): Promise<void> {
    const parsed = parseState(state);
    await super.setState(parsed);
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

  /** Stops processing (the processor leaves its link) and disconnects the node. */
  override destroy(): void {
    super.destroy();
  }
}
