/**
 * A small headless Web Audio Modules 2.0 host for Node 20: runs a BUILT plugin (its browser main-thread ES module
 * and its AudioWorklet processor script) deterministically, one render quantum at a time, with no browser.
 *
 * ## Use
 * ```ts
 * import { createHost } from '../harness/host.ts';
 * const host = await createHost({ sampleRate: 48000, quantum: 128 });  // one AudioContext + worklet scope
 * const [groupId] = await host.initializeWamHost();                     // the SDK's initializeWamHost, for real
 * const { default: Plugin } = await host.importPlugin();                // dist/plugin/index.js (or a path)
 * const wam = await Plugin.createInstance(groupId, host.context, initialState);
 * const inst = host.instanceOf(wam.audioNode);                          // node + processor handle
 * const out = inst.process([[left, right], [scLeft, scRight]]);         // ONE quantum at host.currentFrame
 * host.advance();                                                       // currentFrame += quantum
 * await host.flush();                                                   // deliver port messages until quiet
 * host.close();
 * ```
 *
 * ## API (host-test/harness/)
 * - `createHost(options?: HostOptions): Promise<Host>`; HostOptions: sampleRate (48000), quantum (128),
 *   offline (false | true | { length, numberOfChannels }), crossOriginIsolated (false), quiet (false),
 *   destinationChannels (2).
 * - `Host`: `context: BaseAudioContext` (emulated), `sampleRate`, `quantum`, `currentFrame`, `currentTime`,
 *   `closed`, `errors: HarnessError[]`, `consoleMessages: ConsoleMessage[]`, `instances: Instance[]`,
 *   `connections: Connection[]`, `workletGlobal` (the vm global object);
 *   `initializeWamHost(groupId?, groupKey?): Promise<[string, string]>`,
 *   `importPlugin<T = WamConstructor>(path = DEFAULT_PLUGIN_PATH): Promise<{ default: T }>`,
 *   `instanceOf(node): Instance`, `advance(quanta = 1): void`, `flush(): Promise<number>` (messages delivered),
 *   `evaluate<T>(code): T` (a script in the worklet realm),
 *   `scheduleAutomation(instOrNode, id, value, frame, normalized?): Promise<void>` (absolute frame; flushes),
 *   `runChain(chain: Instance[], opts: ChainOptions): Float32Array[]`,
 *   `measureAllocation(fn, runs = 1000, rounds = 3): number`, `close(): void`.
 * - `Instance`: `node`, `name`, `options`, `processor` (worklet object), `state`, `errors`, `processCalls`,
 *   `outputs: Float32Array[][]`, `process(inputs?, offset = 0): Float32Array[]`.
 * - Also exported: `measureAllocation`, `importUntransformed(path)`, `installMainThreadGlobals()`,
 *   `DEFAULT_PLUGIN_PATH`, and the types.
 * Files: host.ts (this, Host), instance.ts (process()), realm.ts (the worklet scope), main-thread.ts (context,
 * AudioWorkletNode & co.), message-port.ts, clone.ts (structured clone into a realm), fixtures/gain-plugin.ts.
 *
 * ## Model
 * - One host = one AudioContext (`host.context`, realtime-like; `offline: true` gives an OfflineAudioContext-like
 *   one) = one AudioWorkletGlobalScope, a node:vm context (see realm.ts for exactly which globals it has and how
 *   scripts are evaluated). Hosts are independent: separate realms, separate `webAudioModules` and module scopes,
 *   separate processor registries, like separate AudioContexts in one page (a bounce in an OfflineAudioContext
 *   included). Many hosts and many instances per host may live at once.
 * - Time is the host's: `currentFrame` only moves in `advance()`. The worklet globals `currentFrame`/`currentTime`
 *   (and the main-thread `context.currentTime`) follow it. Nothing renders by itself: the test calls
 *   `inst.process()` for every instance it wants to run in this quantum, in the order it chooses (that is the
 *   graph order), then `advance()`. Connections made with `node.connect()` are only recorded (`host.connections`).
 *   `runChain()` is a convenience that feeds a signal through a chain of instances for N quanta.
 * - Calling `process()` twice on one instance in the same quantum throws (a test bug; a browser never does it).
 * - Main thread: `installMainThreadGlobals()` (main-thread.ts) adds AudioNode/AudioWorkletNode/AudioParam and a
 *   file:-capable fetch to Node's globalThis, permanently for the process (a plugin bundle's classes capture
 *   AudioWorkletNode at import). `new AudioWorkletNode(host.context, name, options)` constructs the registered
 *   processor synchronously in the host's realm (Chromium does it a little later on the audio thread; messages
 *   are queued either way, so WAM code cannot tell), with the options structured-cloned into that realm and a
 *   MessagePort pair (message-port.ts). An unregistered name throws InvalidStateError like Chromium, listing the
 *   names that are registered. A throwing processor constructor is recorded, fires `processorerror` on the node,
 *   and the instance renders silence.
 * - `audioWorklet.addModule(url)`: blob: (resolveObjectURL, as the SDK's `addFunctionModule` makes), file:,
 *   data:, http(s):, or a path relative to the working directory; the same URL twice in one context is a no-op
 *   (module map). A script that throws while evaluating makes addModule REJECT (and is recorded in `errors`):
 *   stricter than Chromium, which resolves and only logs it.
 * - Messages: delivered asynchronously (one `setImmediate` per message), so `await node.getState()` just works;
 *   `flush()` spins until no message is in flight in either direction (and promise continuations have run).
 *   Data reaching the processor is rebuilt in the worklet realm (its own Object/Array/Float32Array...); data
 *   reaching the main thread is host-realm. The MessageEvent objects are Node's. As in browsers, a port
 *   delivers once started: `onmessage = ...` starts it, `addEventListener('message', ...)` needs `start()`.
 *   Since the processor only sees main-thread messages when the test yields (`await`), a `scheduleEvents()` or
 *   `setParameterValues()` takes effect at the next `process()` after a `flush()` (scheduleAutomation flushes).
 *
 * ## process()
 * - `inst.process(inputs?, offset = 0)`: `inputs[i]` is the list of channel arrays (any ArrayLike<number>, read
 *   from `offset`, at least `quantum` samples) of input i, or undefined/[] for an unconnected input, which the
 *   processor sees as `[]` (spec). A connected input is up/down-mixed to the node's computedNumberOfChannels
 *   (channelCount / channelCountMode / channelInterpretation, the spec's speaker mixing rules for 1/2/4/6
 *   channels, discrete otherwise), so a mono source into a `channelCount: 2, 'explicit'` node arrives as 2
 *   channels, as in a browser.
 * - Outputs: `outputChannelCount` if given; else 1 in + 1 out follows input 0's computed channel count (1 when
 *   unconnected); else 1 channel per output. Outputs are zeroed before each call.
 * - The arrays the processor gets are worklet-realm objects (`inputs instanceof Array`, `x instanceof
 *   Float32Array` hold in there) and are REUSED from quantum to quantum (allocated again only when a channel
 *   count grows), like Chromium. The harness allocates nothing per quantum in steady state.
 * - Returned: output 0's channels as host-realm Float32Array views on the same memory the processor wrote
 *   (`inst.outputs` has every output). STABLE BUFFERS: the same objects next quantum, overwritten by the next
 *   `process()`; copy (`Float32Array.from(x)` / `.slice()`) what you keep.
 * - `parameters` (3rd argument): `{}` for WAMs; if the processor class declares `parameterDescriptors`, one
 *   length-1 Float32Array per AudioParam holding `node.parameters.get(name).value` (no automation curves).
 * - A falsy return value (`false`, `undefined`!) finishes the processor, as in Chromium: `process` is not called
 *   again and later quanta output silence (`inst.state === 'finished'`).
 * - An exception thrown by `process` is caught and RECORDED (`inst.errors`, `host.errors`); the processor is then
 *   dead like in a browser (`inst.state === 'errored'`, silence, `processorerror` on the node). Exceptions in the
 *   processor's message handlers (and rejected promises they return) are recorded too but do not kill it.
 *   Tests should assert `host.errors` is empty.
 * - Worklet `console` calls are recorded in `host.consoleMessages` and echoed to stderr with a `[worklet]` prefix
 *   unless `quiet: true`.
 *
 * ## Limits
 * - Promise jobs queued by a processor inside `process()` run when the test next yields to the event loop, not
 *   after each quantum as in Chromium's per-quantum microtask checkpoint.
 * - No AudioParam automation, no real graph rendering, no tail-time / active-processing rules beyond "finished".
 * - SharedArrayBuffer and WebAssembly.Module inside messages are passed by reference, so they are host-realm
 *   objects in the worklet (`instanceof` is false there; both still work: `new WebAssembly.Instance(m)` accepts
 *   a module of any realm). SharedArrayBuffer exists in the worklet only with `crossOriginIsolated: true`.
 * - Transferring MessagePorts is not supported (DataCloneError).
 * - Not in the worklet: ReadableStream & co., UserActivation, Temporal; `gc` never leaks in (see measureAllocation).
 * - `importPlugin()` uses Node's module cache: one evaluation per file per process; the plugin must not keep
 *   per-context state on the main thread (a browser page with two AudioContexts has the same constraint).
 *   It imports the file UNTRANSFORMED through a loader hook of ours (see importUntransformed): under tsx (the
 *   test runner) a plain import would be re-transformed with keepNames, and the SDK's `fn.toString()` function
 *   modules would then fail in the worklet with "__name is not defined", a failure a browser never has.
 * - Allocation: `measureAllocation` is isolate-wide and approximate (see its comment); the SDK's own
 *   WamProcessor.process() allocates about 0.8 KB per quantum (its event slicing), measured by the tests.
 */
import path from 'node:path';
import module from 'node:module';
import vm from 'node:vm';
import v8 from 'node:v8';
import { readFile } from 'node:fs/promises';
import { resolveObjectURL } from 'node:buffer';
import { fileURLToPath, pathToFileURL } from 'node:url';
import initializeWamHostSdk from '@webaudiomodules/sdk/src/initializeWamHost.js';
import type { WebAudioModule as IWebAudioModule, WamNode as IWamNode } from '@webaudiomodules/api';
import { Hub, EmulatedMessagePort } from './message-port.ts';
import { Instance } from './instance.ts';
import { WorkletRealm, type ConsoleMessage } from './realm.ts';
import { makeCloner } from './clone.ts';
import {
  EmulatedAudioDestinationNode, EmulatedAudioNode, type EmulatedAudioWorkletNode,
  installMainThreadGlobals, registerContext, unregisterContext, type NodeBackend, type NormalizedNodeOptions,
} from './main-thread.ts';

export { installMainThreadGlobals } from './main-thread.ts';
export { Instance } from './instance.ts';
export type { ConsoleMessage } from './realm.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the built plugin's main-thread module is expected. */
export const DEFAULT_PLUGIN_PATH = path.join(ROOT, 'dist/plugin/index.js');

export interface HostOptions {
  /** Default 48000. */
  sampleRate?: number;
  /** Render quantum in frames, default 128 (the SDK's WamProcessor assumes 128). */
  quantum?: number;
  /** An OfflineAudioContext-like context (`length`, `startRendering()` rejects: render with process()). */
  offline?: boolean | { length?: number; numberOfChannels?: number };
  /** Puts SharedArrayBuffer in the worklet scope (a cross-origin-isolated page). Default false. */
  crossOriginIsolated?: boolean;
  /** Do not echo worklet console output (it is still recorded). Default false. */
  quiet?: boolean;
  /** Channels of `context.destination`. Default 2. */
  destinationChannels?: number;
}

/** Something that went wrong in the worklet, recorded instead of thrown. */
export interface HarnessError {
  /** 'process' | 'constructor' | 'message' | 'script' */
  kind: 'process' | 'constructor' | 'message' | 'script';
  /** The thrown value (often an Error of the worklet realm: use `String(e)`/`e.message`, not instanceof). */
  error: unknown;
  /** The instance concerned, if any. */
  instance?: Instance;
  /** Frame at which it happened. */
  frame: number;
  where: string;
}

export interface Connection {
  from: EmulatedAudioNode;
  output: number;
  to: object;
  /** -1 for an AudioParam destination. */
  input: number;
}

/** A WAM constructor as a plugin module's default export. */
export interface WamConstructor {
  createInstance(groupId: string, audioContext: BaseAudioContext, initialState?: any): Promise<IWebAudioModule<IWamNode>>;
  readonly isWebAudioModuleConstructor?: boolean;
}

/** A signal: channel buffers (read from frame 0), or a generator `(channel, frame) => sample`. */
export type Signal = ArrayLike<number>[] | ((channel: number, frame: number) => number);

export interface ChainOptions {
  /** Source into input 0 of the first stage. */
  input: Signal;
  /** Channels of a generator input (default 2). */
  channels?: number;
  /** Optional source into input 1 of the first stage. */
  sidechain?: Signal;
  sidechainChannels?: number;
  /** Quanta to run; default: enough to cover the longest buffer input. */
  quanta?: number;
  /** Keep the last stage's output 0 (default true). */
  record?: boolean;
  /** Called after every quantum (before advance) with the quantum index and the last stage's output 0. */
  onQuantum?: (index: number, output: Float32Array[]) => void;
}

/** The emulated (Offline)AudioContext. Typed as BaseAudioContext on the Host; these are the members it has. */
class EmulatedAudioContext extends EventTarget {
  readonly sampleRate: number;
  readonly audioWorklet: { addModule(url: string | URL, options?: WorkletOptions): Promise<void> };
  readonly destination: EmulatedAudioDestinationNode;
  readonly baseLatency = 0;
  readonly outputLatency = 0;
  onstatechange: ((ev: Event) => unknown) | null = null;
  readonly #host: Host;
  /** @internal */
  _state: AudioContextState = 'running';

  constructor(host: Host, realm: WorkletRealm, destinationChannels: number) {
    super();
    this.#host = host;
    this.sampleRate = host.sampleRate;
    this.destination = new EmulatedAudioDestinationNode(this as unknown as BaseAudioContext, destinationChannels);
    this.audioWorklet = {
      addModule: (url, _options) => {
        if (host.closed) return Promise.reject(new DOMException('The context is closed.', 'InvalidStateError'));
        let href: string;
        try {
          href = new URL(String(url), pathToFileURL(process.cwd() + path.sep)).href;
        } catch {
          return Promise.reject(new DOMException(`Unable to load a worklet's module (bad URL ${String(url)}).`, 'SyntaxError'));
        }
        return realm.addModule(href, fetchModuleText).catch((e) => {
          host._fail(undefined, 'script', e, `addModule(${href.slice(0, 80)})`);
          throw e;
        });
      },
    };
  }

  get currentTime(): number { return this.#host.currentTime; }
  get state(): AudioContextState { return this._state; }
  get renderQuantumSize(): number { return this.#host.quantum; }
  resume(): Promise<void> { return Promise.resolve(); }
  suspend(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { this.#host.close(); return Promise.resolve(); }
}

class EmulatedOfflineAudioContext extends EmulatedAudioContext {
  readonly length: number;
  readonly numberOfChannels: number;
  constructor(host: Host, realm: WorkletRealm, length: number, channels: number) {
    super(host, realm, channels);
    this.length = length;
    this.numberOfChannels = channels;
  }
  startRendering(): Promise<AudioBuffer> {
    return Promise.reject(new DOMException('harness: render with inst.process()/host.runChain()', 'NotSupportedError'));
  }
}

async function fetchModuleText(href: string): Promise<string> {
  const fail = (why: string) => new DOMException(`Unable to load a worklet's module (${href.slice(0, 100)}): ${why}`, 'AbortError');
  if (href.startsWith('blob:')) {
    const blob = resolveObjectURL(href);
    if (!blob) throw fail('no such blob URL (revoked?)');
    return blob.text();
  }
  if (href.startsWith('file:')) {
    try {
      return await readFile(fileURLToPath(href), 'utf8');
    } catch (e) {
      throw fail((e as Error).message);
    }
  }
  const res = await fetch(href);
  if (!res.ok) throw fail(`HTTP ${res.status}`);
  return res.text();
}

let hostCount = 0;

export class Host {
  readonly id: number;
  readonly sampleRate: number;
  readonly quantum: number;
  /** The emulated AudioContext (OfflineAudioContext-like with `offline`): pass it to createInstance. */
  readonly context: BaseAudioContext;
  /** Everything the worklet threw, in order. Tests should assert it is empty. */
  readonly errors: HarnessError[] = [];
  /** Every worklet console call, in order. */
  readonly consoleMessages: ConsoleMessage[] = [];
  /** Every node created in this host's context, in creation order. */
  readonly instances: Instance[] = [];
  /** connect() calls recorded (disconnect() removes them). */
  readonly connections: Connection[] = [];
  #frame = 0;
  #closed = false;
  readonly #realm: WorkletRealm;
  readonly #hub: Hub;
  readonly #byNode = new Map<object, Instance>();
  readonly #byPort = new Map<EmulatedMessagePort, Instance>();
  readonly #quiet: boolean;

  /** @internal use createHost() */
  constructor(options: HostOptions = {}) {
    installMainThreadGlobals();
    this.id = ++hostCount;
    this.sampleRate = options.sampleRate ?? 48000;
    this.quantum = options.quantum ?? 128;
    if (!(this.sampleRate > 0) || !Number.isInteger(this.quantum) || this.quantum <= 0) {
      throw new RangeError('harness: bad sampleRate or quantum');
    }
    this.#quiet = options.quiet ?? false;
    const label = `host#${this.id}${options.offline ? ' (offline)' : ''}`;
    this.#realm = new WorkletRealm({
      sampleRate: this.sampleRate,
      quantum: this.quantum,
      crossOriginIsolated: options.crossOriginIsolated ?? false,
      name: `AudioWorkletGlobalScope ${label}`,
      onConsole: (msg) => {
        this.consoleMessages.push(msg);
        if (!this.#quiet) {
          const fn = (console as any)[msg.level] ?? console.log;
          const toStderr = msg.level === 'log' || msg.level === 'info' || msg.level === 'debug' ? console.error : fn;
          toStderr.call(console, `[worklet ${label}]`, ...msg.args);
        }
      },
    });
    this.#hub = new Hub((error, where, port) => {
      const inst = port ? this.#byPort.get(port) : undefined;
      this._fail(inst, 'message', error, where);
    });
    const destChannels = options.destinationChannels
      ?? (typeof options.offline === 'object' ? options.offline.numberOfChannels : undefined) ?? 2;
    const ctx = options.offline
      ? new EmulatedOfflineAudioContext(this, this.#realm,
        (typeof options.offline === 'object' ? options.offline.length : undefined) ?? this.sampleRate, destChannels)
      : new EmulatedAudioContext(this, this.#realm, destChannels);
    this.context = ctx as unknown as BaseAudioContext;
    const backend: NodeBackend = {
      attachNode: (node, name, norm) => this.#attachNode(node, name, norm),
      recordConnection: (from, output, to, input) => { this.connections.push({ from, output, to, input }); },
      removeConnections: (from, to, output, input) => {
        for (let i = this.connections.length - 1; i >= 0; i--) {
          const c = this.connections[i]!;
          if (c.from !== from) continue;
          if (to !== undefined && c.to !== to) continue;
          if (output !== undefined && c.output !== output) continue;
          if (input !== undefined && c.input !== input) continue;
          this.connections.splice(i, 1);
        }
      },
    };
    registerContext(ctx, backend);
  }

  get currentFrame(): number { return this.#frame; }
  get currentTime(): number { return this.#frame / this.sampleRate; }
  get closed(): boolean { return this.#closed; }
  /** The worklet realm's global object (for inspection). */
  get workletGlobal(): any { return this.#realm.evaluate('globalThis'); }

  /** Runs the SDK's `initializeWamHost` against this context. */
  initializeWamHost(groupId?: string, groupKey?: string): Promise<[string, string]> {
    return initializeWamHostSdk(this.context, groupId, groupKey);
  }

  /** `import()` of a plugin's main-thread module (default: dist/plugin/index.js). Module cache: once per file. */
  importPlugin<T = WamConstructor>(pluginPath: string = DEFAULT_PLUGIN_PATH): Promise<{ default: T; [name: string]: unknown }> {
    return importUntransformed(pluginPath) as Promise<{ default: T }>;
  }

  /** The Instance of a node created in this host (e.g. `wam.audioNode`). */
  instanceOf(node: unknown): Instance {
    const inst = typeof node === 'object' && node !== null ? this.#byNode.get(node) : undefined;
    if (!inst) throw new Error('harness: not an AudioWorkletNode of this host');
    return inst;
  }

  /** Moves time on by `quanta` render quanta (default 1). */
  advance(quanta = 1): void {
    if (this.#closed) throw new Error('harness: advance() on a closed host');
    this.#frame += quanta * this.quantum;
    this.#realm.setFrame(this.#frame);
  }

  /** Delivers port messages (both directions) until none is in flight. Resolves to the number delivered. */
  async flush(): Promise<number> {
    const start = this.#hub.delivered;
    for (let spins = 0; ; spins++) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.#hub.pending === 0) {
        await new Promise<void>((r) => setImmediate(r));
        if (this.#hub.pending === 0) break;
      }
      if (spins > 100000) throw new Error('harness: flush() did not settle (endless message ping-pong?)');
    }
    return this.#hub.delivered - start;
  }

  /** Runs `code` as a script in the worklet realm and returns its completion value. */
  evaluate<T = unknown>(code: string): T {
    return this.#realm.evaluate<T>(code);
  }

  /**
   * Schedules a `wam-automation` event at absolute frame `frame` (time = frame / sampleRate, which the SDK's
   * WamProcessor turns back into exactly that sample) through the node's `scheduleEvents`, then flushes.
   * `normalized` is left out of the event when not given (as wam-studio sends it).
   */
  async scheduleAutomation(target: Instance | { scheduleEvents(...e: any[]): void }, id: string, value: number,
    frame: number, normalized?: boolean): Promise<void> {
    const node: any = target instanceof Instance ? target.node : target;
    if (typeof node?.scheduleEvents !== 'function') throw new TypeError('harness: scheduleAutomation needs a WamNode');
    if (!Number.isInteger(frame)) throw new RangeError('harness: frame must be an integer');
    const data: Record<string, unknown> = { id, value };
    if (normalized !== undefined) data.normalized = normalized;
    node.scheduleEvents({ type: 'wam-automation', data, time: frame / this.sampleRate });
    await this.flush();
  }

  /**
   * Feeds a signal through `chain` for N quanta: stage 0 gets [input, sidechain?], stage k > 0 gets the previous
   * stage's output 0 on its input 0; after each quantum, advance(). Returns the last stage's output 0 over the
   * whole run (fresh host arrays; empty if `record: false`). Synchronous: no message is delivered meanwhile.
   */
  runChain(chain: Instance[], opts: ChainOptions): Float32Array[] {
    if (chain.length === 0) throw new Error('harness: runChain needs at least one instance');
    const q = this.quantum;
    const lengthOf = (s: Signal | undefined) => (s && typeof s !== 'function' ? Math.max(0, ...s.map((c) => c.length)) : 0);
    const quanta = opts.quanta ?? Math.ceil(Math.max(lengthOf(opts.input), lengthOf(opts.sidechain)) / q);
    if (!Number.isInteger(quanta) || quanta <= 0) throw new Error('harness: runChain needs quanta (or buffer inputs)');
    const scratch = (s: Signal, channels: number | undefined) => {
      const n = typeof s === 'function' ? channels ?? 2 : s.length;
      return Array.from({ length: n }, () => new Float32Array(q));
    };
    const fill = (s: Signal, dst: Float32Array[], start: number) => {
      for (let c = 0; c < dst.length; c++) {
        const d = dst[c]!;
        if (typeof s === 'function') {
          for (let k = 0; k < q; k++) d[k] = s(c, start + k);
        } else {
          const src = s[c]!;
          for (let k = 0; k < q; k++) { const i = start + k; d[k] = i < src.length ? src[i]! : 0; }
        }
      }
    };
    const inBuf = scratch(opts.input, opts.channels);
    const scBuf = opts.sidechain ? scratch(opts.sidechain, opts.sidechainChannels) : undefined;
    const first: Array<Float32Array[] | undefined> = [inBuf, scBuf];
    const later: Array<Float32Array[] | undefined> = [undefined];
    const record = opts.record ?? true;
    let result: Float32Array[] = [];
    for (let n = 0; n < quanta; n++) {
      const start = n * q; // relative to the run
      fill(opts.input, inBuf, start);
      if (scBuf && opts.sidechain) fill(opts.sidechain, scBuf, start);
      let out = chain[0]!.process(first);
      for (let s = 1; s < chain.length; s++) {
        later[0] = out;
        out = chain[s]!.process(later);
      }
      if (record) {
        if (n === 0) result = out.map(() => new Float32Array(quanta * q));
        for (let c = 0; c < result.length && c < out.length; c++) result[c]!.set(out[c]!, start);
      }
      opts.onQuantum?.(n, out);
      this.advance();
    }
    return result;
  }

  /** See the module-level measureAllocation(). */
  measureAllocation(fn: () => void, runs = 1000, rounds = 3): number {
    return measureAllocation(fn, runs, rounds);
  }

  /** Closes the context: every port closed, no new nodes, process()/advance() throw. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const port of this.#hub.ports) port.close();
    unregisterContext(this.context);
    (this.context as unknown as EmulatedAudioContext)._state = 'closed';
  }

  /** @internal records a worklet failure. */
  _fail(inst: Instance | undefined, kind: HarnessError['kind'], error: unknown, where: string): void {
    this.errors.push({ kind, error, instance: inst, frame: this.#frame, where });
    if (inst) {
      inst.errors.push(error);
      if (kind === 'process' || kind === 'constructor') {
        inst.state = kind === 'process' ? 'errored' : 'failed';
        const node = inst.node;
        setImmediate(() => {
          const ev = new Event('processorerror');
          try {
            node.onprocessorerror?.(ev);
            node.dispatchEvent(ev);
          } catch { /* a throwing listener is the page's problem */ }
        });
      }
    }
    if (!this.#quiet) console.error(`[worklet host#${this.id}] ${kind} error in ${where}:`, error);
  }

  #attachNode(node: EmulatedAudioWorkletNode, name: string, norm: NormalizedNodeOptions): EmulatedMessagePort {
    if (this.#closed) throw new DOMException("Failed to construct 'AudioWorkletNode': the context is closed.", 'InvalidStateError');
    const def = this.#realm.processors.get(name);
    if (!def) {
      const known = [...this.#realm.processors.keys()];
      throw new DOMException(`Failed to construct 'AudioWorkletNode': AudioWorkletNode cannot be created: The node name '${name}' is not defined in AudioWorkletGlobalScope. (harness: registered: ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'none'})`, 'InvalidStateError');
    }
    const seq = this.instances.length + 1;
    const [nodePort, procPort] = EmulatedMessagePort.pair(this.#hub, makeCloner(null), `node ${name}#${seq}`,
      this.#realm.cloneIn, `processor ${name}#${seq}`);
    // What Chromium hands to the processor's constructor: the options given, with the input/output counts.
    const processorOptions = this.#realm.cloneIn({
      ...norm.given, numberOfInputs: norm.numberOfInputs, numberOfOutputs: norm.numberOfOutputs,
    });
    const inst = new Instance(this, this.#realm, node, name, norm, def);
    this.instances.push(inst);
    this.#byNode.set(node, inst);
    this.#byPort.set(procPort, inst);
    this.#byPort.set(nodePort, inst);
    try {
      inst.processor = this.#realm.construct(def, procPort, processorOptions);
    } catch (e) {
      this._fail(inst, 'constructor', e, `new ${name}()`);
    }
    return nodePort;
  }
}

/**
 * Imports a built browser module exactly as it is on disk.
 *
 * The test runner loads files through tsx, whose ESM hook re-transforms plain .js files too (with esbuild's
 * keepNames when a file has a dynamic `import()`, as every SDK-based bundle has): the SDK's function modules,
 * injected into the worklet with `fn.toString()`, then call a `__name` helper that does not exist there. So the
 * plugin is imported with a `?harness-raw=1` query that a loader hook of ours (registered last, so it runs first)
 * serves straight from disk, for the file and anything it imports relatively. `import.meta.url` keeps the query,
 * which does not change `new URL('./x', import.meta.url)`.
 */
export async function importUntransformed(modulePath: string): Promise<Record<string, unknown>> {
  installMainThreadGlobals();
  if (!rawLoaderRegistered) {
    module.register(`data:text/javascript,${encodeURIComponent(RAW_LOADER)}`);
    rawLoaderRegistered = true;
  }
  const url = pathToFileURL(path.resolve(modulePath));
  url.searchParams.set('harness-raw', '1');
  return import(url.href);
}

let rawLoaderRegistered = false;
const RAW_LOADER = `
const MARK = 'harness-raw=1';
const marked = (u) => u.startsWith('file:') && u.includes(MARK);
export async function resolve(specifier, context, next) {
  if (marked(specifier)) return { url: specifier, format: 'module', shortCircuit: true };
  if (context.parentURL && marked(context.parentURL) && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    const u = new URL(specifier, context.parentURL);
    u.search = '?' + MARK;
    return { url: u.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!marked(url)) return next(url, context);
  const { readFile } = await import('node:fs/promises');
  const file = new URL(url);
  file.search = '';
  file.hash = '';
  return { format: 'module', source: await readFile(file), shortCircuit: true };
}
`;

/** Creates a host: one emulated AudioContext with its AudioWorkletGlobalScope. */
export async function createHost(options: HostOptions = {}): Promise<Host> {
  return new Host(options);
}

// ---------------------------------------------------------------------------------------------------------------
// Allocation measurement

let gcFn: (() => void) | undefined | null = null;

function getGc(): (() => void) | undefined {
  if (gcFn === null) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = undefined;
    } finally {
      v8.setFlagsFromString('--no-expose-gc'); // later vm contexts (worklet realms) must not get a `gc` global
    }
  }
  return gcFn;
}

function allocatedDuring(fn: () => void, runs: number, gc: (() => void) | undefined): number {
  gc?.();
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  for (let i = 0; i < runs; i++) fn();
  const after = v8.getHeapStatistics().used_heap_size;
  const stats = profiler.stop().statistics as any[];
  let freed = 0;
  for (const s of stats) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return after - before + freed;
}

/**
 * Approximate JS heap bytes allocated per call of `fn`, averaged over `runs` calls, isolate-wide: the worklet
 * realms share the process's V8 heap, and the harness allocates nothing per quantum in steady state, so for
 * `() => { inst.process(ins); host.advance(); }` this is the processor's garbage. `fn` is called
 * `rounds * runs + 1` times (it must advance time itself if it processes); the result is the smallest of
 * `rounds` measurements, each corrected by an empty-function baseline, which removes the one-off costs of JIT
 * compilation (code and feedback live in the same heap). GCs during a run are accounted for (v8.GCProfiler).
 * Typed-array backing stores count only by their JS object (~100 B), not by their bytes. Noise: a few hundred
 * bytes per measurement, i.e. well under 1 B per call at runs >= 1000.
 */
export function measureAllocation(fn: () => void, runs = 1000, rounds = 3): number {
  const gc = getGc();
  if (!profilerWarm) {
    allocatedDuring(() => {}, runs, gc); // the first GCProfiler start allocates a lot once
    profilerWarm = true;
  }
  fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const base = allocatedDuring(() => {}, runs, gc);
    const used = allocatedDuring(fn, runs, gc);
    best = Math.min(best, (used - base) / runs);
  }
  return Math.max(0, best);
}

let profilerWarm = false;
