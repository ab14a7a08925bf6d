/**
 * The `levelmatch` command line. bin/levelmatch.js runs the bundled copy of this file (dist/cli.js).
 *
 *   levelmatch measure [--json] [--layout LAYOUT] FILE...    (a FILE of "-" reads a WAV stream from stdin)
 *   levelmatch --help | --version
 *
 * Exit status: 0 when every file was measured, 1 when some file could not be, 2 for a usage error.
 */
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { CHANNEL_ROLES, LAYOUTS, isChannelRole, isLayoutName } from '../layouts.ts';
import type { ChannelRole, LayoutName } from '../types.ts';
import { WavError } from '../wav/reader.ts';
import { STDIN_NAME, measureFile, type MeasureOptions } from './measure-file.ts';
import { formatTable, toJson, type JsonMeasurement } from './report.ts';

type OutStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  /** What the FILE "-" reads; default process.stdin. */
  stdin?: MeasureOptions['stdin'];
}

const SHORT_USAGE = `Usage: levelmatch measure [--json] [--layout LAYOUT] FILE...
       levelmatch --help | --version
`;

const HELP = `${SHORT_USAGE}
Measures the loudness of WAV files: EBU R128 / ITU-R BS.1770-5.

Commands:
  measure    measure each FILE; see 'levelmatch measure --help'

Options:
  -h, --help       show this help
  -v, --version    show the version
`;

const MEASURE_HELP = `Usage: levelmatch measure [--json] [--layout LAYOUT] FILE...

Measures integrated loudness (LUFS), loudness range (LU), maximum momentary and short-term loudness (LUFS),
true peak (dBTP) and sample peak (dBFS) of each WAV FILE: PCM 8, 16, 24, 32-bit, float 32, 64-bit,
WAVE_FORMAT_EXTENSIBLE and RF64/BW64, 1 to 8 channels, 8000 to 384000 Hz.

A FILE of - (once at most) reads a WAV stream from standard input, so any format can be measured through a
pipe, e.g.  ffmpeg -i song.flac -f wav - | levelmatch measure -
It is named "-" in --json and error messages and "(stdin)" in the table. (A file named - is ./-)

Options:
  --json             print one JSON array with an object per file, in argument order; readings that are
                     -inf (no signal) are null, files that failed are { "file", "error" }
  --layout LAYOUT    the channel layout, one of ${Object.keys(LAYOUTS).join(', ')},
                     or one role per channel, comma separated: ${CHANNEL_ROLES.join(',')}
                     (LFE and X are not measured; Ls/Rs are weighted +1.5 dB).
                     Default: the file's channel mask, else the usual layout for its channel count.
  -h, --help         show this help

Exit status: 0 every file measured, 1 some file could not be measured, 2 usage error.
`;

/** A command line the program cannot run; exit status 2. */
class UsageError extends Error {}

/** Runs the command line `argv` (without node and the script) and returns the exit status. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    if (argv[0] === 'measure') return await measure(argv.slice(1), io);
    const { values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unknown command '${positionals[0]}'`);
    if (values.version) {
      io.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    throw new UsageError('no command given');
  } catch (e) {
    // parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown or malformed options.
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`levelmatch: ${(e as Error).message}\n${SHORT_USAGE}Run 'levelmatch --help' for more.\n`);
      return 2;
    }
    throw e;
  }
}

async function measure(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: files } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      layout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(MEASURE_HELP);
    return 0;
  }
  const layout = values.layout === undefined ? undefined : parseLayout(values.layout);
  if (files.length === 0) throw new UsageError('no FILE given');
  if (files.filter((f) => f === STDIN_NAME).length > 1) {
    throw new UsageError(`'${STDIN_NAME}' (standard input) may be given only once`);
  }

  const json: (JsonMeasurement | { file: string; error: string })[] = [];
  let failed = 0;
  let tables = 0;
  for (const file of files) {
    try {
      const m = await measureFile(file, { layout, progressStream: io.stderr.isTTY ? io.stderr : undefined, stdin: io.stdin });
      if (values.json) json.push(toJson(m));
      else io.stdout.write(`${tables++ > 0 ? '\n' : ''}${formatTable(m)}`); // a blank line between tables
    } catch (e) {
      const problem = describeError(e);
      io.stderr.write(`levelmatch: ${escapeControl(file)}: ${escapeControl(problem)}\n`);
      if (values.json) json.push({ file, error: problem });
      failed++;
    }
  }
  if (values.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  return failed > 0 ? 1 : 0;
}

/** A --layout value: a layout name or a comma-separated list of channel roles. */
function parseLayout(text: string): LayoutName | ChannelRole[] {
  if (isLayoutName(text)) return text;
  const roles = text.split(',').map((r) => r.trim());
  const bad = roles.find((r) => !isChannelRole(r));
  if (bad !== undefined) {
    throw new UsageError(roles.length === 1
      ? `unknown --layout '${text}': use one of ${Object.keys(LAYOUTS).join(', ')} or roles like L,R,C,LFE,Ls,Rs`
      : `unknown channel role '${bad}' in --layout; roles are ${CHANNEL_ROLES.join(', ')}`);
  }
  return roles as ChannelRole[];
}

/**
 * A name or message made safe for one line of stderr: control characters (a newline in a file name would split
 * the error line; an escape sequence would drive the terminal) are written as JSON escapes, \n or \u001b.
 */
function escapeControl(text: string): string {
  const short: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line saying what went wrong with a file. */
function describeError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const messages: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory, not a file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  };
  const text = e instanceof WavError || code === undefined || !(code in messages)
    ? (e instanceof Error ? e.message : String(e))
    : messages[code]!;
  return text.replace(/\s*\n\s*/g, ' ');
}
