/**
 * LoudnessMeter: the library's streaming EBU R128 / ITU-R BS.1770-5 meter, a thin shell around the WASM core.
 *
 * Each meter owns one instance of the core (its own linear memory, reserved when the meter is created), so
 * meters are independent and are freed by the garbage collector with their instance. push() copies samples into
 * the core in chunks of CHUNK_FRAMES and allocates nothing when a channel's block fits in one chunk.
 */
import { compileDsp, compileDspSync, instantiateDsp, type DspExports } from './wasm.ts';
import { resolveLayout, roleWeight } from './layouts.ts';
import { describeValue } from './describe-value.ts';
import type { ChannelRole, LoudnessMeterOptions, LoudnessResult } from './types.ts';

/** Frames copied into the core per call: big enough to amortise the JS -> WASM call, small enough for L1/L2. */
export const CHUNK_FRAMES = 4096;
export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 384000;
export const MAX_CHANNELS = 8;

const toDb = (linear: number): number => (linear > 0 ? 20 * Math.log10(linear) : -Infinity);

/**
 * The intrinsic getters of every typed array: they read internal slots, so a Proxy (whose `instanceof` and
 * `length` a trap can fake) or any other look-alike is told apart without running any of its code.
 */
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArrayProto, 'length')!.get!;

/** The frame count of a genuine Float32Array (of any realm), or -1 for anything else. */
function float32Length(x: unknown): number {
  return typedArrayTag.call(x) === 'Float32Array' ? (typedArrayLength.call(x) as number) : -1;
}

interface ValidOptions {
  sampleRate: number;
  channels: number;
  roles: ChannelRole[];
  truePeak: boolean;
}

function validateOptions(options: LoudnessMeterOptions): ValidOptions {
  if (options === null || typeof options !== 'object') {
    throw new RangeError('LoudnessMeter options must be an object { sampleRate, channels, layout? }');
  }
  const { sampleRate, channels, layout } = options;
  if (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new RangeError(`sampleRate must be a number from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got ${describeValue(sampleRate)}`);
  }
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new RangeError(`channels must be an integer from 1 to ${MAX_CHANNELS}, got ${describeValue(channels)}`);
  }
  if (options.truePeak !== undefined && typeof options.truePeak !== 'boolean') {
    throw new RangeError(`truePeak must be true or false, got ${describeValue(options.truePeak)}`);
  }
  return { sampleRate, channels, roles: resolveLayout(layout, channels), truePeak: options.truePeak ?? true };
}

export class LoudnessMeter {
  readonly sampleRate: number;
  readonly channels: number;
  /** The role of each channel, which sets its BS.1770 weight. */
  readonly layout: readonly ChannelRole[];
  /** Whether true peak is measured. */
  readonly truePeakEnabled: boolean;
  private readonly dsp: DspExports;
  private readonly handle: number;
  private inputs: Float32Array[] = [];
  private inputsBuffer: ArrayBuffer | undefined;

  /** Creates a meter (compiling the core on first use). Throws RangeError for bad options. */
  static async create(options: LoudnessMeterOptions): Promise<LoudnessMeter> {
    const valid = validateOptions(options);
    return new LoudnessMeter(valid, await compileDsp());
  }

  /**
   * Creates a meter synchronously, from an already compiled core if given (e.g. a WebAssembly.Module passed to
   * an AudioWorkletProcessor), else compiling it synchronously.
   */
  static createSync(options: LoudnessMeterOptions, module?: WebAssembly.Module): LoudnessMeter {
    const valid = validateOptions(options);
    if (module !== undefined && Object.prototype.toString.call(module) !== '[object WebAssembly.Module]') {
      throw new RangeError(`createSync(): module must be a compiled WebAssembly.Module, got ${describeValue(module)}`);
    }
    return new LoudnessMeter(valid, module ?? compileDspSync());
  }

  private constructor(valid: ValidOptions, module: WebAssembly.Module) {
    this.sampleRate = valid.sampleRate;
    this.channels = valid.channels;
    this.layout = Object.freeze(valid.roles);
    try {
      this.dsp = instantiateDsp(module);
    } catch (e) {
      throw new RangeError(`the WebAssembly module is not this library's core: ${e instanceof Error ? e.message : describeValue(e)}`);
    }
    if (typeof this.dsp.createMeter !== 'function' || typeof this.dsp.processFrames !== 'function') {
      throw new RangeError("the WebAssembly module is not this library's core (its exports differ)");
    }
    this.handle = this.dsp.createMeter(this.sampleRate, this.channels, CHUNK_FRAMES);
    if (this.handle === 0) throw new RangeError('the DSP core rejected the meter options');
    valid.roles.forEach((role, c) => this.dsp.setWeight(this.handle, c, roleWeight(role)));
    this.truePeakEnabled = valid.truePeak;
    this.dsp.enableTruePeak(this.handle, valid.truePeak ? 1 : 0);
    this.mapInputs();
  }

  /** Views on the core's input buffers; rebuilt only if the memory was ever replaced (it is not after creation). */
  private mapInputs(): void {
    const buffer = this.dsp.memory.buffer;
    this.inputs = [];
    for (let c = 0; c < this.channels; c++) {
      this.inputs.push(new Float32Array(buffer, this.dsp.inputPointer(this.handle, c), CHUNK_FRAMES));
    }
    this.inputsBuffer = buffer;
  }

  /**
   * Meters the next block of audio: one Float32Array per channel (planar), all of the same length, any length.
   * Non-finite samples are counted and metered as silence.
   */
  push(planar: readonly Float32Array[]): void {
    if (!Array.isArray(planar) || planar.length !== this.channels) {
      const got = Array.isArray(planar) ? `${planar.length} channel(s)` : typeof planar;
      throw new RangeError(`push() needs an array of ${this.channels} Float32Array channel(s), got ${got}`);
    }
    const frames = float32Length(planar[0]);
    for (let c = 0; c < this.channels; c++) {
      const length = float32Length(planar[c]);
      if (length < 0) throw new RangeError(`push(): channel ${c} is not a Float32Array`);
      if (length !== frames) {
        throw new RangeError(`push(): channel ${c} has ${length} frames but channel 0 has ${frames}`);
      }
    }
    if (this.inputsBuffer !== this.dsp.memory.buffer) this.mapInputs();
    for (let offset = 0; offset < frames; offset += CHUNK_FRAMES) {
      const n = Math.min(CHUNK_FRAMES, frames - offset);
      for (let c = 0; c < this.channels; c++) {
        const src = planar[c];
        this.inputs[c].set(n === src.length ? src : src.subarray(offset, offset + n));
      }
      this.dsp.processFrames(this.handle, n);
    }
  }

  /** The readings so far (LUFS, LU, dBTP, dBFS; -Infinity where there is no signal yet). */
  result(): LoudnessResult {
    const d = this.dsp;
    const h = this.handle;
    const channelTruePeak: number[] = [];
    const channelSamplePeak: number[] = [];
    for (let c = 0; c < this.channels; c++) {
      channelTruePeak.push(this.truePeakEnabled ? toDb(d.truePeak(h, c)) : NaN);
      channelSamplePeak.push(toDb(d.samplePeak(h, c)));
    }
    return {
      momentary: d.momentary(h),
      shortTerm: d.shortTerm(h),
      integrated: d.integrated(h),
      range: d.loudnessRange(h),
      momentaryMax: d.momentaryMax(h),
      shortTermMax: d.shortTermMax(h),
      truePeak: this.truePeakEnabled ? Math.max(...channelTruePeak) : NaN,
      samplePeak: Math.max(...channelSamplePeak),
      channelTruePeak,
      channelSamplePeak,
      nonFinite: d.nonFinite(h),
    };
  }

  /** Forgets everything measured: readings, maxima, peaks, filter memory. */
  reset(): void {
    this.dsp.resetMeter(this.handle);
  }

  /** Frames between re-evaluations of momentary and short-term loudness (at most 128). */
  get hopFrames(): number {
    return this.dsp.hopFrames(this.handle);
  }

  /** Bytes of WebAssembly memory this meter holds. It does not change after creation. */
  get memoryBytes(): number {
    return this.dsp.memory.buffer.byteLength;
  }
}
