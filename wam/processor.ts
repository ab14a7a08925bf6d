/**
 * The LevelMatch AudioWorkletProcessor: bundled by scripts/build.mjs into dist/plugin/processor.js, a
 * self-contained script (iife) for the AudioWorkletGlobalScope, with the WASM inside as base64. Loaded by
 * LevelMatchNode.addModules() after the WAM SDK's function modules (which put WamProcessor in the module scope).
 *
 * THE AUDIO THREAD. Everything in this file and in core.ts / link-bus.ts / channel-mix.ts runs on the real-time
 * audio thread:
 * - process() (every render quantum) must not allocate in steady state, throw, log, or wait on anything. The
 *   base WamProcessor.process allocates per quantum (slices, Object.keys), so it is replaced here: the event
 *   queue the base _onMessage fills is sliced in place (sorted only when events arrive). Allocation happens
 *   only when events arrive (their responses), when the WASM memory grows, and once per link channel.
 *   Nothing in our JavaScript throws there; the one try/catch around a quantum only catches a WASM trap (an
 *   engine bug), after which the processor passes audio through instead of going silent for good.
 * - Message handlers (state, parameter info) run between quanta on the same thread: they may allocate, but
 *   must not block.
 * - The scope has no URL, fetch, atob, TextDecoder/TextEncoder, timers or performance: the WASM is decoded with
 *   our own base64 decoder and compiled synchronously, once per scope (cached in the module scope), and
 *   instantiated once per scope too: every processor takes its engine from the scope's EnginePool (one shared
 *   WebAssembly instance and memory, engines reused after destroy; see engine-pool.ts).
 * - Readings nobody watches are not measured: the node tells the processor whether its `readout` event has
 *   listeners ({ levelmatch: 'watch', on }); see core.ts.
 */
import type { WamProcessor as SdkWamProcessor } from '@webaudiomodules/sdk';
import type {
  WamEvent, WamParameterDataMap, WamParameterInfoMap, WamParameterData, WamParameterInfo as SdkWamParameterInfo,
} from '@webaudiomodules/api';
import { wasmBase64 } from '../build/wasm-base64.js';
import { decodeBase64 } from '../lib/wasm.ts';
import { ChannelShaper } from './channel-mix.ts';
import { LevelMatchCore } from './core.ts';
import type { EngineExports } from './engine-abi.ts';
import { EnginePool } from './engine-pool.ts';
import { IDENTIFIER } from './identifier.ts';
import { LinkBus } from './link-bus.ts';
import { TransportWatch } from './transport.ts';
import { PARAMETERS, denormalizeSlot, normalizeSlot, parameterConfigs, parameterIndex } from './parameters.ts';
import { parseState, readState, resolveState, type LevelMatchState } from './state.ts';

interface WorkletGlobals {
  webAudioModules?: { getModuleScope(moduleId: string): Record<string, any> };
  registerProcessor(name: string, ctor: unknown): void;
  readonly sampleRate: number;
  readonly currentFrame: number;
  readonly currentTime: number;
}

interface LevelMatchModuleScope {
  WamProcessor?: typeof SdkWamProcessor;
  WamParameterInfo?: typeof SdkWamParameterInfo;
  levelmatchWasm?: WebAssembly.Module;
  levelmatchWasmError?: string;
  levelmatchLinkBus?: LinkBus;
  levelmatchEnginePool?: EnginePool;
  levelmatchRegistered?: boolean;
}

const scope = globalThis as unknown as WorkletGlobals;
if (scope.webAudioModules === undefined) {
  throw new Error('LevelMatch processor: webAudioModules is missing (call initializeWamHost before loading the plugin)');
}
const ModuleScope = scope.webAudioModules.getModuleScope(IDENTIFIER) as LevelMatchModuleScope;
const Base = ModuleScope.WamProcessor;
if (Base === undefined) {
  throw new Error('LevelMatch processor: the WAM SDK modules are missing (load them with WamNode.addModules first)');
}

/**
 * A reader of one of the scope's clock attributes (currentFrame, currentTime) that calls the attribute's getter,
 * found once on the scope's prototype chain. Why: read as a global (`scope.currentFrame` or a bare
 * `currentFrame`), an accessor on the global object's prototype takes V8's slow path. Measured in headless
 * Chromium 156, 256 pass-through worklet nodes (scripts/bench-clock.ts, three runs): a global read costs
 * 0.18-0.38 µs, 7-16 % of such a node's whole cost per quantum; through the cached getter 0.02-0.06 µs. Hosts
 * without an accessor (the headless test host's plain properties) read the property.
 */
function scopeClock(name: 'currentFrame' | 'currentTime'): () => number {
  for (let o: object | null = scope; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d === undefined) continue;
    const get = d.get;
    if (get !== undefined) return () => get.call(scope) as number;
    break;
  }
  return () => scope[name];
}
const readCurrentFrame = scopeClock('currentFrame');
const readCurrentTime = scopeClock('currentTime');

/** Compiles the WASM once per AudioWorkletGlobalScope (synchronous compiles of any size are allowed here). */
function wasmModule(): WebAssembly.Module | null {
  if (ModuleScope.levelmatchWasm === undefined && ModuleScope.levelmatchWasmError === undefined) {
    try {
      ModuleScope.levelmatchWasm = new WebAssembly.Module(decodeBase64(wasmBase64) as BufferSource);
    } catch (e) {
      ModuleScope.levelmatchWasmError = e instanceof Error ? e.message : String(e);
    }
  }
  return ModuleScope.levelmatchWasm ?? null;
}

/** The scope's engines: one WebAssembly instance shared by every processor (a new one only when it is full). */
function enginePool(): EnginePool | null {
  const module = wasmModule();
  if (module === null) return null;
  ModuleScope.levelmatchEnginePool ??= new EnginePool(() => new WebAssembly.Instance(module, {}).exports as unknown as EngineExports);
  return ModuleScope.levelmatchEnginePool;
}

function linkBus(): LinkBus {
  // The rings live in the engines' WebAssembly memory (link-bus.ts FrameRing "Storage"), when there is one.
  ModuleScope.levelmatchLinkBus ??= new LinkBus(scope.sampleRate, (floats) => enginePool()?.allocateFloats(floats) ?? null);
  return ModuleScope.levelmatchLinkBus;
}

interface ProcessorOptions {
  channels?: number;
  initialState?: unknown;
  /** Whether the readings are watched from the start (default false: the node says so when they are). */
  watched?: boolean;
  /**
   * Whether the processor mixes inputs to `channels` as 'explicit' mode would (channel-mix.ts), from the start
   * (default true; the node turns it off while the host has set a channel configuration of its own).
   */
  shapeInputs?: boolean;
}

/** An event's time, 0 (= now) when it has none or is malformed: nothing a host sends may throw in process(). */
const timeOf = (event: WamEvent | undefined): number => {
  const t = event !== null && typeof event === 'object' ? event.time : undefined;
  return typeof t === 'number' && t === t ? t : 0;
};
const byTime = (a: { event: WamEvent }, b: { event: WamEvent }): number => timeOf(a.event) - timeOf(b.event);
const ADD_EVENT = 'add/event';

class LevelMatchProcessor extends Base {
  /** The base class's flag (set by its _onMessage when events arrive), missing from the SDK's types. */
  declare _eventQueueRequiresSort: boolean;
  private readonly core: LevelMatchCore;
  /** Watches wam-transport events for a playback start or a position jump (transport.ts). */
  private readonly transport = new TransportWatch();
  private readonly readoutMessage: { levelmatch: 'readout'; data: Float64Array };
  /** The inputs mixed to the node's channel count, as 'explicit' mode would (channel-mix.ts); null: as they come. */
  private shaper: ChannelShaper | null;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const opts = (options.processorOptions ?? {}) as ProcessorOptions;
    let initial: LevelMatchState | null = null;
    if (opts.initialState !== undefined && opts.initialState !== null) {
      try {
        initial = parseState(opts.initialState);
      } catch {
        initial = null; // validated on the main thread already; never fail construction over it
      }
    }
    const channels = typeof opts.channels === 'number' ? opts.channels : initial?.channels ?? 2;
    const pool = enginePool();
    const error = pool === null ? `the WebAssembly module did not compile: ${ModuleScope.levelmatchWasmError}` : null;
    this.core = new LevelMatchCore({
      sampleRate: scope.sampleRate, channels, bus: linkBus(), engine: null, pool: pool ?? undefined,
      watched: opts.watched === true, initialState: initial ?? undefined,
    });
    if (initial !== null) this.core.applyState(initial);
    this.readoutMessage = { levelmatch: 'readout', data: this.core.readout };
    this.shaper = opts.shapeInputs === false ? null : new ChannelShaper(this.core.channels);
    const problem = error ?? this.core.error;
    if (problem !== null) this.port.postMessage({ levelmatch: 'error', message: `LevelMatch: ${problem}; passing audio through` });
  }

  // ---- parameters ----

  override _generateWamParameterInfo(): WamParameterInfoMap {
    const Info = ModuleScope.WamParameterInfo!;
    const configs = parameterConfigs();
    const map: WamParameterInfoMap = {};
    for (const p of PARAMETERS) map[p.id] = new Info(p.id, configs[p.id]);
    return map;
  }

  /** Builds parameter info and state, without the SDK's interpolators (the engine smooths everything itself). */
  override _initialize(): void {
    this._parameterInfo = this._generateWamParameterInfo();
    this._parameterState = {};
    this._parameterInterpolators = {};
    const WamParameter = (ModuleScope as Record<string, any>).WamParameter;
    for (let slot = 0; slot < PARAMETERS.length; slot++) {
      const id = PARAMETERS[slot].id;
      const param = new WamParameter(this._parameterInfo[id]);
      param.value = this.core.values[slot];
      this._parameterState[id] = param;
    }
  }

  /** Applies one parameter update (plain or normalised); unknown ids and NaN are ignored. */
  override _setParameterValue(update: WamParameterData, _interpolate: boolean): void {
    if (update === null || typeof update !== 'object') return;
    const slot = parameterIndex(update.id);
    if (slot < 0 || typeof update.value !== 'number') return;
    const plain = update.normalized ? denormalizeSlot(slot, update.value) : update.value;
    const v = this.core.setParameter(slot, plain);
    if (v === v) this.syncParameter(slot);
  }

  /**
   * The map's KEY is the parameter id, as in the SDK: hosts that nest plugins (wam-studio's Pedalboard2) send
   * `{ offset: { id: '0<|:pdb2:|>offset', value } }`. The entry's own id is the fallback for an unknown key.
   */
  override _setParameterValues(updates: WamParameterDataMap, _interpolate: boolean): void {
    if (updates === null || typeof updates !== 'object') return;
    for (const key in updates) {
      const update = updates[key];
      if (update === null || typeof update !== 'object') continue;
      let slot = parameterIndex(key);
      if (slot < 0 && typeof update.id === 'string') slot = parameterIndex(update.id);
      if (slot < 0 || typeof update.value !== 'number') continue;
      const v = this.core.setParameter(slot, update.normalized === true ? denormalizeSlot(slot, update.value) : update.value);
      if (v === v) this.syncParameter(slot);
    }
  }

  override _getParameterValues(normalized: boolean, parameterIds?: string[]): WamParameterDataMap {
    const ids = parameterIds !== undefined && parameterIds.length > 0 ? parameterIds : PARAMETERS.map((p) => p.id);
    const out: WamParameterDataMap = {};
    for (const id of ids) {
      const slot = parameterIndex(id);
      if (slot < 0) continue;
      const v = this.core.values[slot];
      out[id] = { id, value: normalized ? normalizeSlot(slot, v) : v, normalized: !!normalized };
    }
    return out;
  }

  private syncParameter(slot: number): void {
    const param = this._parameterState[PARAMETERS[slot].id];
    if (param !== undefined) param.value = this.core.values[slot];
  }

  private syncAllParameters(): void {
    for (let slot = 0; slot < PARAMETERS.length; slot++) this.syncParameter(slot);
  }

  // ---- state ----

  override _getState(): LevelMatchState {
    return this.core.getState();
  }

  /**
   * Applies what a state holds (the rest stays as it is; an empty state is the default state); an invalid one is
   * ignored (the node validates before sending). The gain is set only when the state holds one: setting it
   * restarts the follow logic's deadband.
   */
  override _setState(state: unknown): void {
    let partial: ReturnType<typeof readState>;
    try {
      partial = readState(state);
    } catch {
      return;
    }
    if (partial.empty || partial.gain !== undefined) this.core.applyState(resolveState(partial, this.core.getState()));
    else {
      if (partial.referenceTrack !== undefined) this.core.setTrackLoudness(partial.referenceTrack?.integrated ?? NaN);
      for (const id in partial.parameters) this.core.setParameter(parameterIndex(id), partial.parameters[id as keyof typeof partial.parameters]!);
    }
    this.syncAllParameters();
  }

  // ---- messages and events ----

  override _onMessage(message: MessageEvent): Promise<void> {
    const data = message.data as { levelmatch?: unknown } | null;
    if (data !== null && typeof data === 'object' && data.levelmatch === 'resetMeters') {
      this.core.resetMeters();
      return Promise.resolve();
    }
    if (data !== null && typeof data === 'object' && data.levelmatch === 'track') {
      // The reference track's integrated loudness, measured on the main thread (null: no track).
      const { id, integrated } = data as { id?: unknown; integrated?: unknown };
      this.core.setTrackLoudness(typeof integrated === 'number' ? integrated : NaN);
      this.port.postMessage({ levelmatch: 'track', id });
      return Promise.resolve();
    }
    if (data !== null && typeof data === 'object' && data.levelmatch === 'shapeInputs') {
      // The node's channel configuration is the default one again (on) or the host's own (off): node.ts.
      const on = (data as { on?: unknown }).on === true;
      if (on !== (this.shaper !== null)) this.shaper = on ? new ChannelShaper(this.core.channels) : null;
      return Promise.resolve();
    }
    if (data !== null && typeof data === 'object' && data.levelmatch === 'watch') {
      this.core.setWatched((data as { on?: unknown }).on === true);
      return Promise.resolve();
    }
    return super._onMessage(message);
  }

  override _onTransport(): void {}
  override _onMidi(): void {}
  override _onSysex(): void {}
  override _onMpe(): void {}
  override _onOsc(): void {}

  private applyEvent(event: WamEvent): void {
    if (event !== null && typeof event === 'object' && event.type === 'wam-automation') {
      this._setParameterValue(event.data, false);
    } else if (event !== null && typeof event === 'object' && event.type === 'wam-transport') {
      // Playback starts or jumps: the detectors start afresh (a held gain stays held).
      if (this.transport.restarts(event.data)) this.core.reacquire();
    }
    // MIDI, sysex, MPE, OSC and info events mean nothing to an effect: ignored quietly.
  }

  /**
   * Tells the main thread about an event scheduled on the audio thread (another WAM's emitEvents), as the base
   * class does, so listeners on the node fire. Such an event may hold something postMessage cannot clone: that
   * must not take the audio down, so this rare path is guarded.
   */
  private echoEvent(event: WamEvent): void {
    try {
      this.port.postMessage({ event });
    } catch {
      // not cloneable: the event was applied, only the notification is lost
    }
  }

  /** Sample offset of an event in the current quantum (0 for past or untimed events). */
  private eventOffset(event: WamEvent, currentTime: number, sampleRate: number): number {
    const offset = Math.round((timeOf(event) - currentTime) * sampleRate);
    return offset > 0 ? offset : 0;
  }

  override process(given: Float32Array[][], outputs: Float32Array[][], _parameters: Record<string, Float32Array>): boolean {
    if (this._destroyed) return false;
    // The node runs in 'max' mode and presents 'explicit' (node.ts): an input of another channel count is mixed here.
    const inputs = this.shaper === null ? given : this.shaper.shape(given);
    const out = outputs.length > 0 ? outputs[0] : undefined;
    const input = inputs.length > 0 ? inputs[0] : undefined;
    const quantum = out !== undefined && out.length > 0 ? out[0].length : input !== undefined && input.length > 0 ? input[0].length : 128;
    // The clock goes straight into a typed array: past 2^30 frames (6.2 h at 48 kHz) a frame number is a heap
    // number in V8, and carrying it in variables and arguments would allocate on every quantum.
    this.core.clock[0] = readCurrentFrame();
    const sampleRate = this.core.sampleRate;
    const queue = this._eventQueue;
    // currentTime is a fractional double: reading it allocates a heap number (~16 B) each time, so only when
    // there are events to place. Events arrive between quanta, never during process().
    const time = queue.length > 0 ? readCurrentTime() : 0;
    if (queue.length > 1 && this._eventQueueRequiresSort) queue.sort(byTime);
    this._eventQueueRequiresSort = false;

    const core = this.core;
    try {
      this.render(inputs, outputs, quantum, time, sampleRate);
    } catch (e) {
      // Only a WASM trap (an engine bug) can land here. Audio must go on: pass it through from now on.
      core.fail(`the engine failed (${e instanceof Error ? e.message : String(e)})`);
      this.port.postMessage({ levelmatch: 'error', message: `LevelMatch: ${core.error}; passing audio through` });
      core.beginQuantumAtClock(inputs, quantum);
      core.processSlice(inputs, outputs, 0, quantum);
    }
    return true;
  }

  /** One quantum: events at their sample offsets, the audio in between. */
  private render(inputs: Float32Array[][], outputs: Float32Array[][], quantum: number, currentTime: number, sampleRate: number): void {
    const core = this.core;
    const queue = this._eventQueue;
    core.beginQuantumAtClock(inputs, quantum);
    let start = 0;
    while (start < quantum) {
      // Apply the events due at `start`, then process up to the next event inside this quantum.
      while (queue.length > 0 && this.eventOffset(queue[0].event, currentTime, sampleRate) <= start) {
        const pending = queue.shift()!;
        this.applyEvent(pending.event);
        if (pending.id) this.port.postMessage({ id: pending.id, response: ADD_EVENT });
        else this.echoEvent(pending.event);
      }
      let end = quantum;
      if (queue.length > 0) {
        const next = this.eventOffset(queue[0].event, currentTime, sampleRate);
        if (next < end) end = next;
      }
      core.processSlice(inputs, outputs, start, end);
      start = end;
    }
    if (core.endQuantum()) this.port.postMessage(this.readoutMessage);
  }

  override destroy(): void {
    this.core.destroy();
    super.destroy();
  }
}

if (!ModuleScope.levelmatchRegistered) {
  ModuleScope.levelmatchRegistered = true;
  try {
    scope.registerProcessor(IDENTIFIER, LevelMatchProcessor);
  } catch {
    // Already registered in this scope (the script was evaluated twice): the first registration stands.
  }
}
