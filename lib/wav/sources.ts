/**
 * Byte sources for the WAV reader: the same sequential interface over a file (random access) and over a
 * stream (a Node Readable such as process.stdin, read once, in order). The reader walks chunks and decodes
 * audio through this interface only, so one parser and one decoder serve both.
 */
import type { FileHandle } from 'node:fs/promises';

export interface ByteSource {
  /** 'file' or 'stream', for messages ("truncated stream: ..."). */
  readonly kind: 'file' | 'stream';
  /** Whether skipTo may move backwards (and the audio may be decoded more than once). */
  readonly seekable: boolean;
  /** The offset of the next byte to read. */
  readonly position: number;
  /** Total bytes, when known (a file); undefined for a stream. */
  readonly size: number | undefined;
  /** Fills buf[0, length) from the current position and advances; returns the bytes read (less at the end). */
  fill(buf: Buffer, length: number): Promise<number>;
  /** Moves to `offset`: a file seeks; a stream reads and discards the bytes up to it (never backwards). */
  skipTo(offset: number): Promise<void>;
  close(): Promise<void>;
}

/** Reads up to `length` bytes (a new buffer, shorter only at the end of the source). */
export async function readBytes(src: ByteSource, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const n = await src.fill(buf, length);
  return n === length ? buf : buf.subarray(0, n);
}

export class FileSource implements ByteSource {
  readonly kind = 'file';
  readonly seekable = true;
  position = 0;

  constructor(private readonly fh: FileHandle, readonly size: number) {}

  async fill(buf: Buffer, length: number): Promise<number> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, this.position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.position += done;
    return done;
  }

  async skipTo(offset: number): Promise<void> {
    this.position = offset;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * A forward-only source over an async iterable of byte chunks (a Readable). It holds one chunk of the
 * stream at a time and copies out of it, so memory stays bounded however long the stream is.
 */
export class StreamSource implements ByteSource {
  readonly kind = 'stream';
  readonly seekable = false;
  readonly size = undefined;
  position = 0;
  private chunk: Buffer = EMPTY;
  private at = 0;
  private ended = false;
  private readonly it: AsyncIterator<unknown>;

  constructor(input: AsyncIterable<unknown>) {
    this.it = input[Symbol.asyncIterator]();
  }

  async fill(buf: Buffer, length: number): Promise<number> {
    let done = 0;
    while (done < length && (this.at < this.chunk.length || await this.next())) {
      const n = Math.min(length - done, this.chunk.length - this.at);
      this.chunk.copy(buf, done, this.at, this.at + n);
      this.at += n;
      done += n;
    }
    this.position += done;
    return done;
  }

  async skipTo(offset: number): Promise<void> {
    if (offset < this.position) throw new Error(`cannot seek back on a stream (from ${this.position} to ${offset})`);
    while (this.position < offset && (this.at < this.chunk.length || await this.next())) {
      const n = Math.min(offset - this.position, this.chunk.length - this.at);
      this.at += n;
      this.position += n;
    }
  }

  /** Ends the iteration early if the stream was not read to its end (a Readable is then destroyed). */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.it.return?.();
    }
  }

  /** Loads the next non-empty chunk; false at the end of the stream. */
  private async next(): Promise<boolean> {
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      const v = r.value;
      if (!(v instanceof Uint8Array)) {
        throw new TypeError(`expected a byte stream, got a chunk of type ${typeof v} (is an encoding set on it?)`);
      }
      this.chunk = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.at = 0;
      if (this.chunk.length > 0) return true;
    }
    this.chunk = EMPTY;
    this.at = 0;
    return false;
  }
}
