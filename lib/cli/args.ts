/**
 * Command-line parsing for every levelmatch command: Node's util.parseArgs, with the two things people
 * expect and it does not do. A negative number after an option that takes a value (`--target -16`) is that
 * option's value, not an unknown option; and errors are one plain line naming the option and what it expects
 * (parseArgs' own texts suggest `-- "--bogus"` with an unbalanced quote).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the program cannot run; exit status 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** A number as people type it: -16, -16.5, +3, .5, -inf. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * parseArgs with `--opt -16` joined into `--opt=-16` for string options, and its errors turned into
 * UsageErrors. `command` names the command in messages ("normalize").
 */
export function parseCommandLine<O extends Options>(command: string, args: readonly string[], options: O) {
  const joined: string[] = [];
  const takesValue = (a: string): boolean => {
    if (a.startsWith('--')) return options[a.slice(2)]?.type === 'string';
    if (/^-[a-zA-Z]$/.test(a)) return Object.values(options).some((o) => o.short === a[1] && o.type === 'string');
    return false;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      joined.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (takesValue(a) && next !== undefined && next.startsWith('-') && (NUMBER.test(next) || /^-inf(inity)?$/i.test(next))) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const m = err.message;
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const name = /'([^']+)'/.exec(m)?.[1] ?? m;
        throw new UsageError(`unknown option '${name}' for 'levelmatch${command ? ` ${command}` : ''}' (a file whose name starts with - can be given as ./${name})`);
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const name = /'(-[^ ']+)/.exec(m)?.[1] ?? '';
        const opt = options[name.replace(/^-+/, '')] ?? Object.values(options).find((o) => `-${o.short}` === name);
        if (opt?.type === 'boolean') throw new UsageError(`option ${name} takes no value`);
        throw new UsageError(`option ${name} needs a value${/argument is ambiguous/.test(m) ? ` (to pass one that starts with -, write ${name}=VALUE)` : ''}`);
      }
      default:
        throw e;
    }
  }
}

/** A number option's value, within [min, max], or a UsageError naming the option and what it expects. */
export function numberOption(name: string, text: string | undefined, what: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().replace(',', '.');
  const x = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(x)) throw new UsageError(`--${name} expects ${what}, e.g. --${name} ${min < 0 ? Math.round((min + Math.min(max, 0)) / 2) : min}; got '${text}'`);
  if (x < min || x > max) throw new UsageError(`--${name} expects ${what} from ${min} to ${max}; got ${x}`);
  return x;
}

/** A choice option's value, or a UsageError listing the choices. */
export function choiceOption<T extends string>(name: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`--${name} expects one of ${choices.join(', ')}; got '${text}'`);
}
