/**
 * Loads the DSP core. The .wasm bytes travel inside the JavaScript bundle (base64, ~24 KB), so the library
 * works the same in Node, in browsers, in workers and in an AudioWorkletGlobalScope, none of which need to
 * fetch or resolve a file. The decoder is our own because AudioWorkletGlobalScope has no atob.
 */
import { wasmBase64 } from '../build/wasm-base64.js';
import type { EngineExports } from '../wam/engine-abi.ts';

/** The exports of dsp/index.ts: the meter's below, the gain engine's (EngineExports). Handles are addresses. */
export interface DspExports extends EngineExports {
  memory: WebAssembly.Memory;
  createMeter(sampleRate: number, channels: number, maxFrames: number): number;
  /** createMeter on the instance's shared input buffers (dsp/index.ts): write and process one such meter at a time. */
  createSharedBufferMeter(sampleRate: number, channels: number, maxFrames: number): number;
  setWeight(h: number, channel: number, weight: number): void;
  enableTruePeak(h: number, enabled: number): void;
  enableRms(h: number, enabled: number): void;
  inputPointer(h: number, channel: number): number;
  processFrames(h: number, frames: number): void;
  resetMeter(h: number): void;
  momentary(h: number): number;
  shortTerm(h: number): number;
  momentaryMax(h: number): number;
  shortTermMax(h: number): number;
  integrated(h: number): number;
  loudnessRange(h: number): number;
  truePeak(h: number, channel: number): number;
  samplePeak(h: number, channel: number): number;
  nonFinite(h: number): number;
  hopFrames(h: number): number;
  /** Diagnostics of the true-peak skip (dsp/truepeak.ts): blocks skipped, and a switch for tests. */
  truePeakSkips(h: number): number;
  engineTruePeakSkips(h: number): number;
  truePeakPartSkips(h: number): number;
  engineTruePeakPartSkips(h: number): number;
  setTruePeakSkip(on: number): void;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (with or without padding). */
export function decodeBase64(text: string): Uint8Array {
  const lookup = new Uint8Array(128).fill(255);
  for (let i = 0; i < ALPHABET.length; i++) lookup[ALPHABET.charCodeAt(i)] = i;
  let end = text.length;
  while (end > 0 && text[end - 1] === '=') end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const v = lookup[text.charCodeAt(i) & 127];
    if (v === 255) throw new Error(`invalid base64 character at ${i}`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 255;
    }
  }
  return out;
}

let bytes: Uint8Array | undefined;
let compiled: WebAssembly.Module | undefined;
let compiling: Promise<WebAssembly.Module> | undefined;

/** The core's .wasm bytes. */
export function dspWasmBytes(): Uint8Array {
  bytes ??= decodeBase64(wasmBase64);
  return bytes;
}

/** Compiles the core once per JavaScript realm. */
export function compileDsp(): Promise<WebAssembly.Module> {
  if (compiled) return Promise.resolve(compiled);
  compiling ??= WebAssembly.compile(dspWasmBytes() as BufferSource).then((m) => (compiled = m));
  return compiling;
}

/** Synchronous compile, for contexts that cannot await (workers and worklets may compile any size sync). */
export function compileDspSync(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(dspWasmBytes() as BufferSource);
  return compiled;
}

/** A fresh instance of the core with its own memory. The core imports nothing. */
export function instantiateDsp(module: WebAssembly.Module): DspExports {
  return new WebAssembly.Instance(module, {}).exports as unknown as DspExports;
}
