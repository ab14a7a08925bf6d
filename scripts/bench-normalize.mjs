// `levelmatch normalize` against ffmpeg's loudnorm in two passes (its accurate mode), on the same files in the
// same run, printed as a ratio; then the peak memory of normalising a 2-hour file. Run by `npm run bench`
// after the build. Wall-clock times of whole processes (decode, measure, render, write), best of RUNS.
//
//   BENCH_NORMALIZE_MINUTES   length of the speed file (default 10; 0 skips it)
//   BENCH_LONG_MINUTES        length of the memory file (default 120; 0 skips it)
//   BENCH_NORMALIZE_RUNS      runs per timing, the best kept (default 1)
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { programme } from './programme.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SR = 48000;
const MINUTES = Number(process.env.BENCH_NORMALIZE_MINUTES ?? 10);
const LONG_MINUTES = Number(process.env.BENCH_LONG_MINUTES ?? 120);
// Runs per timing (the best is kept): whole processes on long files, so few; BENCH_NORMALIZE_RUNS to change.
const RUNS = Number(process.env.BENCH_NORMALIZE_RUNS ?? 1);
const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-bench-'));

/** A 16-bit stereo WAV of `minutes` of programme, written a minute (repeated) at a time. */
function writeProgramme(file, minutes) {
  const [l, r] = programme(SR, 60);
  const minute = Buffer.alloc(l.length * 4);
  for (let i = 0; i < l.length; i++) {
    minute.writeInt16LE(Math.round(l[i] * 32767 * 0.9), i * 4);
    minute.writeInt16LE(Math.round(r[i] * 32767 * 0.9), i * 4 + 2);
  }
  const dataBytes = minute.length * minutes;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + dataBytes, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(2, 22); h.writeUInt32LE(SR, 24); h.writeUInt32LE(SR * 4, 28);
  h.writeUInt16LE(4, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(dataBytes, 40);
  const fd = openSync(file, 'w');
  writeSync(fd, h);
  for (let m = 0; m < minutes; m++) writeSync(fd, minute);
  closeSync(fd);
}

function time(fn) {
  let best = Infinity;
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    out = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, out };
}

function ours(input, output, target) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/levelmatch.js'), 'normalize', '--target', String(target), '--true-peak', '-1', '--json', '-o', output, input], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`levelmatch normalize failed: ${r.stderr}`);
  return JSON.parse(r.stdout)[0];
}

function loudnorm(input, output, target) {
  const spec = `I=${target}:TP=-1:LRA=20`;
  const p1 = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', input, '-af', `loudnorm=${spec}:print_format=json`, '-f', 'null', '-'], { encoding: 'utf8' });
  const m = JSON.parse(p1.stderr.slice(p1.stderr.lastIndexOf('{')));
  const pass2 = `loudnorm=${spec}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true:print_format=json`;
  const p2 = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-y', '-i', input, '-af', pass2, '-ar', String(SR), '-c:a', 'pcm_s16le', output], { encoding: 'utf8' });
  if (p2.status !== 0) throw new Error(`ffmpeg loudnorm failed: ${p2.stderr.slice(-400)}`);
  return JSON.parse(p2.stderr.slice(p2.stderr.lastIndexOf('{')));
}

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
try {
  const input = path.join(dir, 'programme.wav');
  if (MINUTES > 0) writeProgramme(input, MINUTES);
  if (MINUTES > 0) console.log(`\nnormalize, ${MINUTES} min of stereo 48 kHz 16-bit programme, whole process (read, measure, render, write), best of ${RUNS}`);
  for (const target of MINUTES > 0 ? [-23, -14] : []) {
    const a = time(() => ours(input, path.join(dir, 'ours.wav'), target));
    const limited = a.out.peakAction === 'limit' ? `limited ${a.out.limiterReduction.toFixed(1)} dB max, ${a.out.passes} passes` : 'linear';
    let line = `levelmatch  -> ${target} LUFS ${(a.ms / 1000).toFixed(2).padStart(7)} s   reached ${a.out.after.integrated.toFixed(2)} LUFS ${a.out.after.truePeak.toFixed(2)} dBTP (${limited})`;
    if (hasFfmpeg) {
      const b = time(() => loudnorm(input, path.join(dir, 'loudnorm.wav'), target));
      line += `\nloudnorm x2 -> ${target} LUFS ${(b.ms / 1000).toFixed(2).padStart(7)} s   reached ${b.out.output_i} LUFS ${b.out.output_tp} dBTP (${b.out.normalization_type})` +
        `\n  levelmatch is ${(b.ms / a.ms).toFixed(1)} x faster than ffmpeg loudnorm in two passes`;
    }
    console.log(line);
  }
  rmSync(input, { force: true });
  if (LONG_MINUTES > 0) {
    const long = path.join(dir, 'long.wav');
    writeProgramme(long, LONG_MINUTES);
    // The CLI in a process of its own, reporting its peak resident memory (worker threads included). The
    // target needs no limiting: memory is what is measured here, and limiting adds passes, not memory.
    const probe = `import { main } from ${JSON.stringify(pathToFileURL(path.join(root, 'dist/cli.js')).href)};
      const code = await main(process.argv.slice(2), { stdout: { write() { return true; } }, stderr: process.stderr });
      console.log(JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const probeFile = path.join(dir, 'probe.mjs');
    writeFileSync(probeFile, probe);
    const t0 = performance.now();
    const out = execFileSync(process.execPath, [probeFile, 'normalize', '--target', '-23', '-o', path.join(dir, 'long-out.wav'), long], { encoding: 'utf8' });
    const { code, maxRssKiB } = JSON.parse(out.trim().split('\n').pop());
    if (code !== 0) throw new Error(`normalize of the long file exited ${code}`);
    console.log(`normalize of ${LONG_MINUTES} min (${(LONG_MINUTES * 60 * SR * 4 / 2 ** 30).toFixed(2)} GiB WAV): peak memory ${(maxRssKiB / 1024).toFixed(0)} MiB (resident), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
