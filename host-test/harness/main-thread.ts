/**
 * The main-thread side of the emulation: an AudioContext stand-in and the Web Audio globals that a WAM plugin's
 * main-thread code touches but Node 20 lacks.
 *
 * `installMainThreadGlobals()` puts AudioNode, AudioWorkletNode and AudioDestinationNode on Node's globalThis,
 * permanently for the test process: a plugin bundle evaluates `class X extends AudioWorkletNode` when it is
 * imported, once per process, so the classes must exist before the import and stay. They are context-agnostic;
 * `new AudioWorkletNode(context, name, options)` finds the host through `context`. It also wraps `fetch` so that
 * file: URLs (a plugin fetching `new URL('./x.wasm', import.meta.url)` when imported from disk) are served from
 * disk, like a static server would (404 Response when missing); other URLs go to Node's fetch.
 * Already in Node 20 and used as is: EventTarget, Event, CustomEvent, MessageEvent, performance, Blob,
 * URL.createObjectURL, structuredClone. Not provided: window, document, AudioContext/OfflineAudioContext
 * constructors (use createHost), AudioParam automation, any other node type.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { EmulatedMessagePort } from './message-port.ts';

/** What the AudioWorkletNode constructor needs from the host that owns a context. */
export interface NodeBackend {
  /** Creates the processor for `node`; returns the node's port. Throws InvalidStateError for an unknown name. */
  attachNode(node: EmulatedAudioWorkletNode, name: string, options: NormalizedNodeOptions): EmulatedMessagePort;
  recordConnection(from: EmulatedAudioNode, output: number, to: object, input: number): void;
  removeConnections(from: EmulatedAudioNode, to?: object, output?: number, input?: number): void;
}

export interface NormalizedNodeOptions {
  numberOfInputs: number;
  numberOfOutputs: number;
  outputChannelCount?: number[];
  channelCount: number;
  channelCountMode: ChannelCountMode;
  channelInterpretation: ChannelInterpretation;
  parameterData?: Record<string, number>;
  processorOptions?: unknown;
  /** The options exactly as the caller gave them (what the processor's constructor receives, cloned). */
  given: Record<string, unknown>;
}

const backends = new WeakMap<object, NodeBackend>();

export function registerContext(context: object, backend: NodeBackend): void {
  backends.set(context, backend);
}

export function unregisterContext(context: object): void {
  backends.delete(context);
}

function backendOf(context: unknown): NodeBackend {
  const b = typeof context === 'object' && context !== null ? backends.get(context) : undefined;
  if (!b) {
    throw new TypeError("Failed to construct 'AudioWorkletNode': the context is not a live harness context "
      + '(create it with createHost(); a closed host cannot create nodes)');
  }
  return b;
}

const CHANNEL_COUNT_MODES = ['max', 'clamped-max', 'explicit'];
const INTERPRETATIONS = ['speakers', 'discrete'];

export class EmulatedAudioNode extends EventTarget {
  readonly context: BaseAudioContext;
  readonly numberOfInputs: number;
  readonly numberOfOutputs: number;
  #channelCount: number;
  #channelCountMode: ChannelCountMode;
  #channelInterpretation: ChannelInterpretation;

  constructor(context: BaseAudioContext, inputs: number, outputs: number, channelCount = 2,
    mode: ChannelCountMode = 'max', interpretation: ChannelInterpretation = 'speakers') {
    super();
    this.context = context;
    this.numberOfInputs = inputs;
    this.numberOfOutputs = outputs;
    this.#channelCount = channelCount;
    this.#channelCountMode = mode;
    this.#channelInterpretation = interpretation;
  }

  get channelCount(): number { return this.#channelCount; }
  set channelCount(v: number) {
    if (!(v >= 1 && v <= 32)) throw new DOMException(`The channel count provided (${v}) is outside the range [1, 32].`, 'NotSupportedError');
    this.#channelCount = v;
  }
  get channelCountMode(): ChannelCountMode { return this.#channelCountMode; }
  set channelCountMode(v: ChannelCountMode) { if (CHANNEL_COUNT_MODES.includes(v)) this.#channelCountMode = v; }
  get channelInterpretation(): ChannelInterpretation { return this.#channelInterpretation; }
  set channelInterpretation(v: ChannelInterpretation) { if (INTERPRETATIONS.includes(v)) this.#channelInterpretation = v; }

  /** Recorded only (the host's `connections`); audio flows where the test passes it. Returns `destination`. */
  connect(destination: object, output = 0, input = 0): any {
    if (output < 0 || output >= this.numberOfOutputs) throw new DOMException(`output index (${output}) exceeds number of outputs (${this.numberOfOutputs}).`, 'IndexSizeError');
    const toNode = destination instanceof EmulatedAudioNode;
    if (toNode && (input < 0 || input >= destination.numberOfInputs)) {
      throw new DOMException(`input index (${input}) exceeds number of inputs (${destination.numberOfInputs}).`, 'IndexSizeError');
    }
    if (toNode && destination.context !== this.context) {
      throw new DOMException('cannot connect to an AudioNode belonging to a different audio context.', 'InvalidAccessError');
    }
    backendOf(this.context).recordConnection(this, output, destination, toNode ? input : -1);
    return toNode ? destination : undefined;
  }

  disconnect(destinationOrOutput?: object | number, output?: number, input?: number): void {
    const b = backends.get(this.context);
    if (!b) return;
    if (typeof destinationOrOutput === 'number') b.removeConnections(this, undefined, destinationOrOutput);
    else b.removeConnections(this, destinationOrOutput, output, input);
  }
}

export class EmulatedAudioDestinationNode extends EmulatedAudioNode {
  readonly maxChannelCount: number;
  constructor(context: BaseAudioContext, channels: number) {
    super(context, 1, 0, channels, 'explicit', 'speakers');
    this.maxChannelCount = channels;
  }
}

/** A constant AudioParam (value only; no automation methods apart from setValueAtTime storing the value). */
export class EmulatedAudioParam {
  readonly defaultValue: number;
  readonly minValue: number;
  readonly maxValue: number;
  automationRate: AutomationRate;
  #value: number;
  constructor(d: { defaultValue: number; minValue: number; maxValue: number; automationRate: string }, value?: number) {
    this.defaultValue = d.defaultValue;
    this.minValue = d.minValue;
    this.maxValue = d.maxValue;
    this.automationRate = d.automationRate as AutomationRate;
    this.#value = value ?? d.defaultValue;
  }
  get value(): number { return this.#value; }
  set value(v: number) { this.#value = Math.fround(v); }
  setValueAtTime(v: number): this { this.value = v; return this; }
}

export class EmulatedAudioWorkletNode extends EmulatedAudioNode {
  readonly port: EmulatedMessagePort;
  /** An AudioParamMap: a read-only Map of EmulatedAudioParam, from the processor's parameterDescriptors. */
  readonly parameters: Map<string, EmulatedAudioParam> = new Map();
  onprocessorerror: ((ev: Event) => unknown) | null = null;

  constructor(context: BaseAudioContext, name: string, options: AudioWorkletNodeOptions = {}) {
    const backend = backendOf(context);
    const norm = normalizeOptions(options);
    super(context, norm.numberOfInputs, norm.numberOfOutputs, norm.channelCount, norm.channelCountMode, norm.channelInterpretation);
    this.port = backend.attachNode(this, String(name), norm);
  }
}

function normalizeOptions(options: AudioWorkletNodeOptions): NormalizedNodeOptions {
  const fail = (msg: string, name: string) => new DOMException(`Failed to construct 'AudioWorkletNode': ${msg}`, name);
  const given = { ...(options as Record<string, unknown>) };
  const numberOfInputs = options.numberOfInputs ?? 1;
  const numberOfOutputs = options.numberOfOutputs ?? 1;
  if (numberOfInputs === 0 && numberOfOutputs === 0) throw fail('AudioWorkletNode cannot be created: number of inputs and number of outputs cannot be both zero.', 'NotSupportedError');
  let outputChannelCount: number[] | undefined;
  if (options.outputChannelCount !== undefined) {
    outputChannelCount = Array.from(options.outputChannelCount);
    if (outputChannelCount.some((c) => !(c >= 1 && c <= 32) || c !== Math.floor(c))) throw fail('Invalid channel count in outputChannelCount.', 'NotSupportedError');
    if (outputChannelCount.length !== numberOfOutputs) throw fail(`Length of specified 'outputChannelCount' (${outputChannelCount.length}) does not match the given number of outputs (${numberOfOutputs}).`, 'IndexSizeError');
  }
  const channelCount = options.channelCount ?? 2;
  if (!(channelCount >= 1 && channelCount <= 32)) throw fail(`The channel count provided (${channelCount}) is outside the range [1, 32].`, 'NotSupportedError');
  const channelCountMode = options.channelCountMode ?? 'max';
  const channelInterpretation = options.channelInterpretation ?? 'speakers';
  if (!CHANNEL_COUNT_MODES.includes(channelCountMode)) throw new TypeError(`Failed to construct 'AudioWorkletNode': bad channelCountMode '${channelCountMode}'`);
  if (!INTERPRETATIONS.includes(channelInterpretation)) throw new TypeError(`Failed to construct 'AudioWorkletNode': bad channelInterpretation '${channelInterpretation}'`);
  return {
    numberOfInputs, numberOfOutputs, outputChannelCount, channelCount, channelCountMode, channelInterpretation,
    parameterData: options.parameterData, processorOptions: options.processorOptions, given,
  };
}

let installed = false;

/** Installs the globals above (idempotent). Throws if another AudioWorkletNode (e.g. node-web-audio-api) is there. */
export function installMainThreadGlobals(): void {
  if (installed) return;
  const g = globalThis as Record<string, unknown>;
  if (g.AudioWorkletNode !== undefined && g.AudioWorkletNode !== EmulatedAudioWorkletNode) {
    throw new Error('harness: a different AudioWorkletNode global is already installed in this process');
  }
  g.AudioNode = EmulatedAudioNode;
  g.AudioWorkletNode = EmulatedAudioWorkletNode;
  g.AudioDestinationNode = EmulatedAudioDestinationNode;
  g.AudioParam = EmulatedAudioParam;
  const nodeFetch = globalThis.fetch;
  g.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!href.startsWith('file:')) return nodeFetch(input, init);
    try {
      const bytes = await readFile(fileURLToPath(href));
      return new Response(bytes, { status: 200, headers: { 'content-type': mimeOf(href) } });
    } catch {
      return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
  };
  installed = true;
}

function mimeOf(href: string): string {
  if (href.endsWith('.wasm')) return 'application/wasm';
  if (href.endsWith('.json')) return 'application/json';
  if (href.endsWith('.js') || href.endsWith('.mjs')) return 'text/javascript';
  if (href.endsWith('.html')) return 'text/html';
  if (href.endsWith('.css')) return 'text/css';
  return 'application/octet-stream';
}
