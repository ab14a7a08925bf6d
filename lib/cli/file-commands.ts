/**
 * `levelmatch normalize` and `levelmatch match`: parse, plan outputs, run the files in worker threads (one
 * per core by default) with results reported in argument order, and keep the safety promises: an input is
 * never overwritten without --in-place, output goes through a temporary file renamed at the end, and on
 * Ctrl-C / SIGTERM the workers stop and every temporary is removed before exiting.
 */
import cliProgress from 'cli-progress';
import { createWriteStream, readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { STDIN_NAME } from '../audio/open-audio.ts';
import { escapeControl } from './describe-error.ts';
import { OUTPUT_FORMATS, tempPattern, type OutputFormat } from '../audio/wav-writer.ts';
import type { Analysis } from '../file-tools/analyse.ts';
import { planAlbum, type FileReport, type PeakPolicy } from '../file-tools/normalize.ts';
import { PRESETS, findPreset } from '../presets.ts';
import { UsageError, choiceOption, numberOption, parseCommandLine } from './args.ts';
import { fileReportJson, formatFileTable } from './file-report.ts';
import type { CliIo } from './main.ts';
import { parseLayout } from './main.ts';
import { Pool, type Job, type JobOutcome } from './pool.ts';

export const NORMALIZE_USAGE = 'levelmatch normalize (--target LUFS | --preset NAME) [--true-peak dBTP] [--policy limit|cap|error] [--album] (-o OUT | --out-dir DIR | --in-place) FILE...';
export const MATCH_USAGE = 'levelmatch match PROCESSED --reference DRY [--detector integrated|short-term] (-o OUT | --out-dir DIR | --in-place)';

const COMMON_HELP = `  --true-peak dBTP   the true-peak ceiling, -20 to 0 (default -1, or the preset's)
  --policy P         when the gain would take the true peak over the ceiling:
                       limit  a true-peak look-ahead limiter acts only there (default); the output stays
                              sample-aligned with the input and still lands on the target
                       cap    lower the gain until the peak fits, and report the loudness reached
                       error  exit 1 naming the file and the shortfall; nothing is written
  -o, --output OUT   the output WAV (one input only)
  --out-dir DIR      write DIR/NAME.wav for each input (DIR is created if needed)
  --in-place         replace each input (WAV inputs only); without it an input is never overwritten
  --format F         output sample format: pcm16 (TPDF-dithered), pcm24, pcm32, float32, float64
                     (default: the input's; float32 for lossy codecs)
  --layout LAYOUT    the channel layout, as for 'levelmatch measure'
  --json             print one JSON array (an object per file, in argument order) instead of tables
  -j, --jobs N       worker threads (default: one per core)
  -h, --help         show this help

Output is always WAV at the input's sample rate, written to a temporary file beside the target and renamed
when complete: an error, a full disk or Ctrl-C leaves no partial output and the input untouched. A FILE of -
reads standard input (any format). An error in one file does not stop the others.
Exit status: 0 every file done, 1 some file failed, 2 usage error.
`;

const NORMALIZE_HELP = `Usage: ${NORMALIZE_USAGE}

Brings each FILE to an integrated loudness (EBU R128 / ITU-R BS.1770-5) with one linear gain, so its
dynamics are untouched; with --album, one gain for all the files, from their joint loudness, so their
relative levels stay exactly as they are.

Options:
  --target LUFS      the integrated loudness wanted, e.g. --target -16 (-70 to 0)
  --preset NAME      a delivery target:
${PRESETS.map((p) => `                       ${p.id.padEnd(11)}${String(p.target).padStart(4)} LUFS${p.targetMono !== undefined ? ` (mono ${p.targetMono})` : ''}, ${p.truePeak} dBTP  ${p.name}`).join('\n')}
  --album            one gain for all FILEs
${COMMON_HELP}`;

const MATCH_HELP = `Usage: ${MATCH_USAGE}

Makes PROCESSED as loud as the dry REFERENCE: the file version of the plugin's match mode.

Options:
  --reference DRY    the unprocessed file
  --detector D       integrated (default): one gain, so the integrated loudness matches;
                     short-term: a gain that follows the reference's short-term loudness (3 s windows)
${COMMON_HELP}`;

const COMMON_OPTIONS = {
  'true-peak': { type: 'string' },
  policy: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'out-dir': { type: 'string' },
  'in-place': { type: 'boolean' },
  format: { type: 'string' },
  layout: { type: 'string' },
  json: { type: 'boolean' },
  jobs: { type: 'string', short: 'j' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Common {
  truePeak: number | undefined;
  policy: PeakPolicy | undefined;
  format: OutputFormat | undefined;
  layout: ReturnType<typeof parseLayout> | undefined;
  json: boolean;
  jobs: number | undefined;
  inPlace: boolean;
  outputs: string[];
}

function parseCommon(values: Record<string, string | boolean | undefined>, inputs: string[]): Common {
  const str = (k: string) => values[k] as string | undefined;
  const targets = [str('output') !== undefined, str('out-dir') !== undefined, values['in-place'] === true].filter(Boolean).length;
  if (targets === 0) throw new UsageError('say where to write: -o OUT, --out-dir DIR or --in-place');
  if (targets > 1) throw new UsageError('give only one of -o, --out-dir and --in-place');
  if (inputs.length === 0) throw new UsageError('no FILE given');
  if (inputs.filter((f) => f === STDIN_NAME).length > 1) throw new UsageError(`'${STDIN_NAME}' (standard input) may be given only once`);
  let outputs: string[];
  if (str('output') !== undefined) {
    if (inputs.length > 1) throw new UsageError(`-o names one output, but ${inputs.length} FILEs were given: use --out-dir DIR`);
    outputs = [str('output')!];
  } else if (str('out-dir') !== undefined) {
    const dir = str('out-dir')!;
    outputs = inputs.map((f) => path.join(dir, `${f === STDIN_NAME ? 'stdin' : path.basename(f, path.extname(f))}.wav`));
    const seen = new Map<string, string>();
    outputs.forEach((o, i) => {
      const key = path.resolve(o);
      if (seen.has(key)) throw new UsageError(`${seen.get(key)} and ${inputs[i]} would both be written to ${o}`);
      seen.set(key, inputs[i]!);
    });
  } else {
    if (inputs.includes(STDIN_NAME)) throw new UsageError('--in-place cannot replace standard input: use -o OUT');
    outputs = [...inputs];
  }
  const jobs = numberOption('jobs', str('jobs'), 'a number of worker threads', 1, 256);
  if (jobs !== undefined && !Number.isInteger(jobs)) throw new UsageError(`--jobs expects a whole number; got ${jobs}`);
  return {
    truePeak: numberOption('true-peak', str('true-peak'), 'a ceiling in dBTP', -20, 0),
    policy: choiceOption('policy', str('policy'), ['limit', 'cap', 'error'] as const),
    format: choiceOption('format', str('format'), OUTPUT_FORMATS),
    layout: str('layout') === undefined ? undefined : parseLayout(str('layout')!),
    json: values.json === true,
    jobs,
    inPlace: values['in-place'] === true,
    outputs,
  };
}

export async function normalizeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: inputs } = parseCommandLine('normalize', argv, {
    ...COMMON_OPTIONS, target: { type: 'string' }, preset: { type: 'string' }, album: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(NORMALIZE_HELP);
    return 0;
  }
  const preset = values.preset === undefined ? undefined : findPreset(values.preset);
  if (values.preset !== undefined && !preset) throw new UsageError(`--preset expects one of ${PRESETS.map((p) => p.id).join(', ')}; got '${values.preset}'`);
  const target = numberOption('target', values.target, 'a loudness in LUFS', -70, 0) ?? preset?.target;
  if (target === undefined) throw new UsageError('say what loudness to reach: --target LUFS (e.g. --target -16) or --preset NAME');
  const c = parseCommon(values, inputs);
  const options = {
    target,
    targetMono: values.target === undefined ? preset?.targetMono : undefined,
    truePeak: c.truePeak ?? preset?.truePeak ?? -1,
    policy: c.policy, format: c.format, layout: c.layout, inPlace: c.inPlace,
  };
  return runFiles(io, c, inputs, async (pool, spooled, progress) => {
    if (!values.album) {
      return Promise.all(inputs.map((f, i) => pool.run<FileReport>({ id: i, op: 'normalize', input: spooled(f), output: c.outputs[i], options: { ...options, name: f } }, progress(i))));
    }
    // Album: measure every file (in parallel), plan one gain, then render every file (in parallel).
    const measured = await Promise.all(inputs.map((f, i) => pool.run<Analysis>({ id: i, op: 'analyse', input: spooled(f), options: { ...options, name: f } }, (p) => progress(i)(p * 0.5))));
    const failed = measured.findIndex((m) => !m.ok);
    if (failed >= 0) {
      const m = measured[failed] as { error: string };
      return inputs.map((_, i): JobOutcome<FileReport> => ({ ok: false, shortfall: false, error: i === failed ? m.error : `not written: the album could not be measured (${inputs[failed]} failed)` }));
    }
    let plan;
    try {
      plan = planAlbum(measured.map((m, i) => ({ file: inputs[i]!, analysis: (m as { result: Analysis }).result })), options);
    } catch (e) {
      return inputs.map((): JobOutcome<FileReport> => ({ ok: false, shortfall: true, error: (e as Error).message }));
    }
    return Promise.all(inputs.map((f, i) => pool.run<FileReport>({
      id: inputs.length + i, op: 'render', input: spooled(f), output: c.outputs[i], analysis: (measured[i] as { result: Analysis }).result,
      plan: plan.plans[i], target, options: { ...options, name: f },
    }, (p) => progress(i)(0.5 + p * 0.5))));
  });
}

export async function matchCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: inputs } = parseCommandLine('match', argv, {
    ...COMMON_OPTIONS, reference: { type: 'string' }, detector: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(MATCH_HELP);
    return 0;
  }
  if (values.reference === undefined) throw new UsageError('say what to match: --reference DRY');
  if (values.reference === STDIN_NAME && inputs.includes(STDIN_NAME)) throw new UsageError(`'${STDIN_NAME}' (standard input) may be given only once`);
  const detector = choiceOption('detector', values.detector, ['integrated', 'short-term'] as const) ?? 'integrated';
  const c = parseCommon(values, inputs);
  const options = { truePeak: c.truePeak ?? -1, policy: c.policy, format: c.format, layout: c.layout, inPlace: c.inPlace, detector };
  return runFiles(io, c, [...inputs, values.reference], async (pool, spooled, progress) =>
    Promise.all(inputs.map((f, i) => pool.run<FileReport>({
      id: i, op: 'match', input: spooled(f), reference: spooled(values.reference!), output: c.outputs[i], options: { ...options, name: f },
    }, progress(i)))));
}

type Work = (pool: Pool, spooled: (f: string) => string, progress: (i: number) => (f: number) => void) => Promise<JobOutcome<FileReport>[]>;

/** Runs `work` with a pool, stdin spooled to a file, progress bars, signal cleanup; prints the reports. */
async function runFiles(io: CliIo, c: Common, names: string[], work: Work): Promise<number> {
  const inputs = names.slice(0, c.outputs.length);
  for (const dir of new Set(c.outputs.map((o) => path.dirname(o)))) await mkdir(dir, { recursive: true });
  let spoolDir: string | undefined;
  let spoolFile: string | undefined;
  const pool = new Pool(Math.min(c.jobs ?? availableParallelism(), Math.max(1, inputs.length)));
  // Ctrl-C / SIGTERM: stop the workers, then remove every temporary of this process, then exit.
  const dirs = new Set(c.outputs.map((o) => path.resolve(path.dirname(o))));
  const onSignal = (signal: NodeJS.Signals) => {
    void pool.close().finally(() => {
      sweepTemporaries(dirs);
      if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
      bars?.stop();
      io.stderr.write(`levelmatch: interrupted by ${signal}: no output was left half-written\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let bars: cliProgress.MultiBar | undefined;
  try {
    if (names.includes(STDIN_NAME)) {
      spoolDir = await mkdtemp(path.join(tmpdir(), 'levelmatch-stdin-'));
      spoolFile = path.join(spoolDir, 'stdin');
      const stdin = io.stdin ?? process.stdin;
      if ((stdin as { isTTY?: boolean }).isTTY) throw new UsageError('standard input is a terminal: pipe audio into it');
      await pipeline(stdin as AsyncIterable<Uint8Array>, createWriteStream(spoolFile));
    }
    const spooled = (f: string) => (f === STDIN_NAME ? spoolFile! : f);
    let progress = (_i: number) => (_f: number) => {};
    if (io.stderr.isTTY) {
      bars = new cliProgress.MultiBar({
        stream: io.stderr, format: '{name} [{bar}] {percentage}%', clearOnComplete: true, hideCursor: true,
      }, cliProgress.Presets.shades_classic);
      const list = inputs.map((f) => bars!.create(100, 0, { name: (f === STDIN_NAME ? '(stdin)' : path.basename(f)).slice(0, 30).padEnd(30) }));
      progress = (i) => (f) => list[i]?.update(Math.round(Math.max(0, Math.min(1, f)) * 100));
    }
    const outcomes = await work(pool, spooled, progress);
    bars?.stop();
    bars = undefined;
    let failed = 0;
    const json: unknown[] = [];
    let tables = 0;
    outcomes.forEach((o, i) => {
      const file = inputs[i]!;
      if (o.ok) {
        if (c.json) json.push(fileReportJson(o.result));
        else io.stdout.write(`${tables++ > 0 ? '\n' : ''}${formatFileTable(o.result)}`);
      } else {
        failed++;
        const error = o.error.startsWith(`${file}: `) ? o.error.slice(file.length + 2) : o.error;
        io.stderr.write(`levelmatch: ${escapeControl(file)}: ${escapeControl(error)}\n`);
        if (c.json) json.push({ file, error });
      }
    });
    if (c.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return failed > 0 ? 1 : 0;
  } finally {
    bars?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }
}

/** Removes this process's temporary outputs (tempPattern) from `dirs`. Synchronous: runs while exiting. */
function sweepTemporaries(dirs: Iterable<string>): void {
  const pattern = tempPattern();
  for (const dir of dirs) {
    let names: string[] = [];
    try { names = readdirSync(dir); } catch { continue; }
    for (const n of names) if (pattern.test(n)) rmSync(path.join(dir, n), { force: true });
  }
}
