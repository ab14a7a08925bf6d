/**
 * Turns decoded blocks of any length (an MP3 frame is 1152 samples, an Opus packet 960, a FLAC block 4096)
 * into chunks of exactly `frames` frames, so callers see the same chunking whatever the codec.
 */
export class Rechunker {
  private readonly planes: Float32Array[];
  private filled = 0;

  constructor(channels: number, readonly frames: number) {
    this.planes = Array.from({ length: channels }, () => new Float32Array(frames));
  }

  /**
   * Appends `data` (one array per channel, `length` frames; `order[c]` names the source channel of output
   * channel c) and yields every chunk it completes. A yielded chunk is valid until the next call.
   */
  *push(data: readonly Float32Array[], length: number, order?: readonly number[]): Generator<Float32Array[]> {
    let at = 0;
    while (at < length) {
      const n = Math.min(length - at, this.frames - this.filled);
      for (let c = 0; c < this.planes.length; c++) {
        const src = data[order ? order[c]! : c] ?? data[0]!;
        this.planes[c]!.set(src.subarray(at, at + n), this.filled);
      }
      this.filled += n;
      at += n;
      if (this.filled === this.frames) {
        this.filled = 0;
        yield this.planes;
      }
    }
  }

  /** The final partial chunk, if any. */
  flush(): Float32Array[] | undefined {
    if (this.filled === 0) return undefined;
    const n = this.filled;
    this.filled = 0;
    return this.planes.map((p) => p.subarray(0, n));
  }

  reset(): void {
    this.filled = 0;
  }
}
