import { WavError } from '../wav/reader.ts';

/** One line saying what went wrong with a file (fs error codes in words, our own errors as they are). */
export function describeError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const messages: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory, not a file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'no space left on the device (nothing was written)',
    EROFS: 'read-only file system',
  };
  const text = e instanceof WavError || code === undefined || !(code in messages)
    ? (e instanceof Error ? e.message : String(e))
    : messages[code]!;
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * A name or message made safe for one line of stderr: control characters (a newline in a file name would split
 * the error line; an escape sequence would drive the terminal) are written as JSON escapes, \n or \u001b.
 */
export function escapeControl(text: string): string {
  const short: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
