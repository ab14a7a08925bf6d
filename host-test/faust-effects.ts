/**
 * Third-party DSP for the chain tests: effects from the Faust standard library (compressors.lib), compiled at
 * test time by @grame/faustwasm (the Faust compiler as WebAssembly, its libraries inside; nothing is fetched),
 * run in Node by faustwasm's own offline processor, one render quantum at a time, in place, as an `Effect` of
 * host-test/effects.ts. None of this DSP was written here.
 */
import path from 'node:path';
import { REPO_ROOT } from './browser-session.ts';
import type { Effect } from './effects.ts';

type FaustWasm = typeof import('@grame/faustwasm');
type Compiler = InstanceType<FaustWasm['FaustCompiler']>;

let compilerPromise: Promise<{ fw: FaustWasm; compiler: Compiler; version: string }> | undefined;

/** The Faust compiler, instantiated once per process. */
function faustCompiler() {
  compilerPromise ??= (async () => {
    // The package's "main" is a script bundle; its ES module build is imported by path.
    const fw = (await import('@grame/faustwasm/dist/esm/index.js' as string)) as FaustWasm;
    const module = await fw.instantiateFaustModuleFromFile(path.join(REPO_ROOT, 'node_modules/@grame/faustwasm/libfaust-wasm/libfaust-wasm.js'));
    const lib = new fw.LibFaust(module);
    return { fw, compiler: new fw.FaustCompiler(lib), version: lib.version() };
  })();
  return compilerPromise;
}

export interface FaustEffect extends Effect {
  /** The Faust expression compiled (after `import("stdfaust.lib"); process = `). */
  readonly expression: string;
  readonly faustVersion: string;
}

/**
 * Compiles `process = <expression>` (stereo in, stereo out) for `sampleRate` and returns it as an Effect working
 * on blocks of `quantum` frames. `-ftz 2`: flush denormals in the generated code (WebAssembly has no FTZ mode).
 */
export async function faustEffect(name: string, expression: string, sampleRate: number, quantum = 128): Promise<FaustEffect> {
  const { fw, compiler, version } = await faustCompiler();
  const generator = new fw.FaustMonoDspGenerator();
  await generator.compile(compiler, name, `import("stdfaust.lib");\nprocess = ${expression};\n`, '-ftz 2');
  const dsp = await generator.createOfflineProcessor(sampleRate, quantum);
  if (!dsp) throw new Error(`faust: ${name} did not compile`);
  if (dsp.getNumInputs() !== 2 || dsp.getNumOutputs() !== 2) throw new Error(`faust: ${name} is not stereo in / stereo out`);
  dsp.start();
  const out = [new Float32Array(quantum), new Float32Array(quantum)];
  return {
    name,
    expression,
    faustVersion: version,
    process(channels, frames) {
      if (frames !== quantum) throw new Error(`faust effect: blocks of ${quantum} frames only, got ${frames}`);
      dsp.compute(channels, out);
      channels[0].set(out[0]);
      channels[1].set(out[1]);
    },
  };
}
