// A worklet module for the Chromium bench (scripts/bench-scale.ts, issue 16): the time spent inside process(),
// per kind of processor, summed over a render. Loaded before any other worklet module of a context, it wraps
// registerProcessor so that every processor registered after it is timed.
//
// Why: the per-role rows of the bench are differences of whole renders, and on a shared machine their noise is
// as large as the costs they compare. Timing process() itself, for plugin and pass-through nodes rendered in
// the same quanta, compares them under the same conditions.
//
// How: the AudioWorkletGlobalScope has no performance.now(), and Date.now() ticks in whole milliseconds. But a
// call starts at an arbitrary point of its millisecond, so the tick difference over one call is 1 with
// probability (its duration / 1 ms) and 0 otherwise: summed over many calls it is an unbiased estimate of
// their total time (about 100 000 calls of ~1 µs give about 2 % spread). Only quanta from `from` frames on are
// counted (the steady state, after the warm-up).
//
// Kinds: the processor's name, and for LevelMatch the mode its initial state sets (reference, match, target).
const MODES = ['reference', 'match', 'sidechain', 'target', 'track'];
const totals = {};
const register = globalThis.registerProcessor;

globalThis.registerProcessor = function (name, Processor) {
  if (name === 'levelmatch-process-timer-report') return register.call(globalThis, name, Processor);
  class Timed extends Processor {
    constructor(options) {
      super(options);
      const mode = options?.processorOptions?.initialState?.parameters?.mode;
      const kind = typeof mode === 'number' ? MODES[mode] ?? name : name;
      this.timerTotal = totals[kind] ??= { ms: 0, calls: 0 };
    }
    process(inputs, outputs, parameters) {
      if (currentFrame < timerFrom) return super.process(inputs, outputs, parameters);
      const t = Date.now();
      const going = super.process(inputs, outputs, parameters);
      this.timerTotal.ms += Date.now() - t;
      this.timerTotal.calls++;
      return going;
    }
  }
  return register.call(globalThis, name, Timed);
};

let timerFrom = Infinity;

/** Posts the totals ({ kind: { ms, calls } }) once, in its last quantum before `length` frames. */
register.call(globalThis, 'levelmatch-process-timer-report', class extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.length = options.processorOptions.length;
    timerFrom = options.processorOptions.from;
    this.sent = false;
  }
  process() {
    if (!this.sent && currentFrame + 2 * 128 >= this.length) {
      this.sent = true;
      this.port.postMessage(JSON.parse(JSON.stringify(totals)));
    }
    return true;
  }
});
