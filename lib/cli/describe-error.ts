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
