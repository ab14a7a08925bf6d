/**
 * LevelMatchNode: the plugin's AudioWorkletNode (main thread). Adds to the SDK's WamNode:
 * - loading the processor (once per BaseAudioContext) from processor.js beside this bundle;
 * - readouts: `node.readout` (the latest, decoded) and a `readout` event (CustomEvent, detail = the readout)
 *   about 25 times per second of audio;
 * - setState() that validates first and rejects (sending nothing) when the state is invalid;
 * - a `parameterchange` event (plain Event) after setParameterValues() or setState() from the main thread has
 *   reached the processor, so a GUI can re-read the values even while no audio runs (automation on the audio
 *   thread shows up in the readouts' `parameters` instead);
 * - resetMeters().
 */
import { WamNode, type WebAudioModule } from '@webaudiomodules/sdk';
import type { WamParameterDataMap } from '@webaudiomodules/api';
import { decodeReadout, type Readout } from './readout.ts';
import { partialStateMessage, readState, type LevelMatchState } from './state.ts';

/** The `readout` event: `event.detail` is the readout (also in `node.readout`). */
export type ReadoutEvent = CustomEvent<Readout>;

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
  private _engineError: string | null = null;

  constructor(module: WebAudioModule, options: AudioWorkletNodeOptions) {
    super(module, options);
    (this._supportedEventTypes as Set<string>).add('readout');
    (this._supportedEventTypes as Set<string>).add('parameterchange');
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
   * and nothing is sent (the current state stays). `undefined` or `{}` restores the defaults; a partial state
   * (or the SDK's `{ parameterValues }` shape) sets what it holds and leaves the rest as it is. The channel
   * count cannot change once the node exists: a state's `channels` only matters to createInstance.
   */
  override async setState(state?: unknown): Promise<void> {
    const partial = readState(state);
    await super.setState(partialStateMessage(partial));
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
