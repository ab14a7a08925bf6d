/**
 * The emulated AudioWorkletGlobalScope: one node:vm context per host (= per AudioContext).
 *
 * Its global object has the context's own ECMAScript builtins (Object, Array, Float32Array, Promise, Math, JSON,
 * WebAssembly, Atomics, Intl, eval...) and, from the worklet scope of Chromium (checked on Chromium 14x/15x:
 * `Object.getOwnPropertyNames` up the global's prototype chain), only:
 *   globalThis, AudioWorkletProcessor, registerProcessor, sampleRate, currentFrame, currentTime,
 *   renderQuantumSize, console, AudioWorkletGlobalScope, WorkletGlobalScope (both illegal constructors, for
 *   feature detection), MessagePort, MessageEvent, Event, EventTarget (the last four are host-realm classes).
 * Absent, as in Chromium: setTimeout/setInterval, queueMicrotask, structuredClone, URL, fetch, atob/btoa,
 * TextEncoder/TextDecoder, performance, crypto, self, DOMException (the *thrown* DOMExceptions exist, the global
 * does not), and SharedArrayBuffer unless the host is created `crossOriginIsolated` (V8 puts it in every vm
 * context; it is deleted here), nor `gc` (V8 adds it to new contexts when --expose-gc is on, as some tests of
 * this repository set at run time; it cannot be deleted then, so it is set to undefined). Not emulated: ReadableStream & co., UserActivation, Temporal.
 *
 * Scripts given to `audioWorklet.addModule` are evaluated as Chromium evaluates worklet code, i.e. as a module:
 * strict mode, `this` undefined at top level, top-level declarations local to the script (not globals), top-level
 * await allowed. That is done by wrapping the text in `(async function () { "use strict"; ... })` on the same
 * line (line numbers in stack traces stay right; columns on line 1 are shifted). Static `import`/`export` are not
 * supported (a SyntaxError): the SDK's blob function-modules and an iife bundle never use them.
 *
 * `currentFrame`, `currentTime`, `sampleRate`, `renderQuantumSize` are getters reading a Float64Array that the
 * host updates in `advance()`; assigning to them throws a TypeError (as in Chromium's strict module code).
 */
import vm from 'node:vm';
import { INTRINSIC_NAMES, makeCloner, type RealmIntrinsics } from './clone.ts';
import { EmulatedMessagePort } from './message-port.ts';

export interface ProcessorDefinition {
  name: string;
  ctor: new (options: unknown) => any;
  parameterDescriptors: Array<{ name: string; defaultValue: number; minValue: number; maxValue: number; automationRate: string }>;
}

export interface ConsoleMessage {
  level: string;
  args: unknown[];
}

const WORKLET_CONSOLE_METHODS = ['debug', 'error', 'info', 'log', 'warn', 'dir', 'dirxml', 'table', 'trace', 'group',
  'groupCollapsed', 'groupEnd', 'clear', 'count', 'countReset', 'assert', 'profile', 'profileEnd', 'time', 'timeLog',
  'timeEnd', 'timeStamp'];

/** Builds AudioWorkletProcessor and registerProcessor inside the realm, so their errors and prototypes are its own. */
const BOOTSTRAP = `(function (hooks) {
  'use strict';
  const { takePort, define, isDefined, notSupported, state } = hooks;
  function illegal(name) {
    return function () { throw new TypeError("Failed to construct '" + name + "': Illegal constructor"); };
  }
  class AudioWorkletProcessor {
    #port;
    constructor() {
      const port = takePort();
      if (port === undefined) {
        throw new TypeError("Failed to construct 'AudioWorkletProcessor': Illegal invocation of AudioWorkletProcessor constructor.");
      }
      this.#port = port;
    }
    get port() { return this.#port; }
  }
  const isConstructor = (f) => {
    if (typeof f !== 'function') return false;
    try { Reflect.construct(String, [], f); return true; } catch { return false; }
  };
  function registerProcessor(name, processorCtor) {
    const where = "Failed to execute 'registerProcessor' on 'AudioWorkletGlobalScope': ";
    if (arguments.length < 2) throw new TypeError(where + '2 arguments required, but only ' + arguments.length + ' present.');
    name = String(name);
    if (name === '') throw notSupported(where + 'The processor name cannot be empty.');
    if (isDefined(name)) throw notSupported(where + 'An AudioWorkletProcessor with name:"' + name + '" is already registered.');
    if (!isConstructor(processorCtor)) {
      throw new TypeError(where + 'The provided class definition of "' + name + '" AudioWorkletProcessor is not a constructor.');
    }
    const proto = processorCtor.prototype;
    if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function')) {
      throw new TypeError(where + 'The "prototype" of the provided class definition is not an object.');
    }
    const descriptors = [];
    const raw = processorCtor.parameterDescriptors;
    if (raw !== undefined) {
      for (const d of raw) {
        const desc = {
          name: String(d.name),
          defaultValue: d.defaultValue === undefined ? 0 : Number(d.defaultValue),
          minValue: d.minValue === undefined ? -3.4028234663852886e38 : Number(d.minValue),
          maxValue: d.maxValue === undefined ? 3.4028234663852886e38 : Number(d.maxValue),
          automationRate: d.automationRate === undefined ? 'a-rate' : String(d.automationRate),
        };
        if (descriptors.some((x) => x.name === desc.name)) throw notSupported(where + 'Duplicated parameter name "' + desc.name + '".');
        if (!(desc.minValue <= desc.defaultValue && desc.defaultValue <= desc.maxValue)) {
          throw notSupported(where + 'The default value of "' + desc.name + '" is out of range.', 'InvalidStateError');
        }
        descriptors.push(desc);
      }
    }
    define(name, processorCtor, descriptors);
  }
  const scope = illegal('AudioWorkletGlobalScope');
  const worklet = illegal('WorkletGlobalScope');
  Object.defineProperty(globalThis, 'AudioWorkletProcessor', { value: AudioWorkletProcessor, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'registerProcessor', { value: registerProcessor, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'AudioWorkletGlobalScope', { value: scope, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'WorkletGlobalScope', { value: worklet, writable: true, configurable: true });
  const getter = (name, i) => Object.defineProperty(globalThis, name, {
    get() { return state[i]; },
    set(v) { throw new TypeError('Cannot set property ' + name + ' of #<AudioWorkletGlobalScope> which has only a getter'); },
    enumerable: true, configurable: true,
  });
  getter('currentFrame', 0); getter('currentTime', 1); getter('sampleRate', 2); getter('renderQuantumSize', 3);
  if (!hooks.crossOriginIsolated) delete globalThis.SharedArrayBuffer;
  // V8 adds a non-configurable \`gc\` to every new context once any code of the process sets --expose-gc.
  if ('gc' in globalThis) {
    try { delete globalThis.gc; } catch { globalThis.gc = undefined; }
  }
})`;

export interface RealmOptions {
  sampleRate: number;
  quantum: number;
  crossOriginIsolated: boolean;
  name: string;
  onConsole: (msg: ConsoleMessage) => void;
}

export class WorkletRealm {
  readonly context: vm.Context;
  readonly intrinsics: RealmIntrinsics;
  readonly processors = new Map<string, ProcessorDefinition>();
  /** [currentFrame, currentTime, sampleRate, renderQuantumSize], a realm Float64Array the getters read. */
  readonly state: Float64Array;
  /** Clones a message into this realm. */
  readonly cloneIn: (value: unknown, transfer?: Transferable[]) => unknown;
  #pendingPort: EmulatedMessagePort | undefined;
  #moduleMap = new Map<string, Promise<void>>();
  #sampleRate: number;

  constructor(opts: RealmOptions) {
    this.#sampleRate = opts.sampleRate;
    const workletConsole: Record<string, (...args: unknown[]) => void> = {};
    for (const level of WORKLET_CONSOLE_METHODS) {
      workletConsole[level] = (...args: unknown[]) => {
        if (level === 'assert') {
          if (args[0]) return;
          opts.onConsole({ level, args: ['Assertion failed:', ...args.slice(1)] });
          return;
        }
        opts.onConsole({ level, args });
      };
    }
    const sandbox: Record<string, unknown> = {
      console: workletConsole,
      MessagePort: EmulatedMessagePort,
      MessageEvent,
      Event,
      EventTarget,
    };
    this.context = vm.createContext(sandbox, { name: opts.name });
    this.intrinsics = vm.runInContext(`({ ${INTRINSIC_NAMES.join(', ')} })`, this.context) as RealmIntrinsics;
    this.state = new this.intrinsics.Float64Array!(4) as Float64Array;
    this.state[0] = 0;
    this.state[1] = 0;
    this.state[2] = opts.sampleRate;
    this.state[3] = opts.quantum;
    const bootstrap = vm.runInContext(BOOTSTRAP, this.context, { filename: 'harness:worklet-bootstrap' });
    bootstrap({
      state: this.state,
      crossOriginIsolated: opts.crossOriginIsolated,
      takePort: () => {
        const p = this.#pendingPort;
        this.#pendingPort = undefined;
        return p;
      },
      isDefined: (name: string) => this.processors.has(name),
      define: (name: string, ctor: ProcessorDefinition['ctor'], descriptors: ProcessorDefinition['parameterDescriptors']) => {
        this.processors.set(name, { name, ctor, parameterDescriptors: structuredClone(descriptors) });
      },
      notSupported: (message: string, name = 'NotSupportedError') => new DOMException(message, name),
    });
    this.cloneIn = makeCloner(this.intrinsics);
  }

  setFrame(frame: number): void {
    this.state[0] = frame;
    this.state[1] = frame / this.#sampleRate;
  }

  /** Runs `code` as a classic script in the realm (for tests: inspecting the scope). */
  evaluate<T = unknown>(code: string): T {
    return vm.runInContext(code, this.context, { filename: 'harness:evaluate' }) as T;
  }

  /**
   * `audioWorklet.addModule`: fetch (blob:, file:, data:), evaluate as module-like code, await its completion.
   * The same URL a second time returns the first call's promise (the module map), without evaluating again.
   */
  addModule(url: string, fetchText: (url: string) => Promise<string>): Promise<void> {
    const known = this.#moduleMap.get(url);
    if (known) return known;
    const p = (async () => {
      const text = await fetchText(url);
      const wrapped = `(async function () { "use strict"; ${text}\n})`;
      let fn: () => Promise<unknown>;
      try {
        fn = new vm.Script(wrapped, { filename: url }).runInContext(this.context) as () => Promise<unknown>;
      } catch (e) {
        throw rewrap(e, url);
      }
      await fn.call(undefined);
    })();
    this.#moduleMap.set(url, p);
    return p;
  }

  /** Constructs a registered processor with `port` as its MessagePort (what AudioWorkletProcessor's constructor takes). */
  construct(def: ProcessorDefinition, port: EmulatedMessagePort, options: unknown): any {
    this.#pendingPort = port;
    try {
      return new def.ctor(options);
    } finally {
      this.#pendingPort = undefined;
    }
  }
}

function rewrap(e: unknown, url: string): unknown {
  if (e instanceof Error && e.name === 'SyntaxError') {
    const err = new SyntaxError(`${e.message} (in ${url})`);
    err.stack = e.stack;
    return err;
  }
  return e;
}
