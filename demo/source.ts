/**
 * The demo's signal source: loops either the built-in programme (two stems, drums and music) or a decoded
 * file (one buffer, fed to the music output) with looping AudioBufferSourceNodes. Switching sources crossfades
 * over about 60 ms. Main thread only.
 *
 * Outputs (persistent GainNodes, so the graph is wired once):
 *   drums, music   the stems (a file plays on `music`; `drums` is then silent), for the bus of example 2
 *   mix            drums + music, for example 1
 */
import { glide } from './controls.ts';

export interface SourceInfo {
  kind: 'programme' | 'file';
  /** What the page shows: "Built-in programme" or the file's name. */
  name: string;
  /** Loop length in seconds. */
  duration: number;
  /** True when the drums are a separate stem (the built-in programme). */
  hasStems: boolean;
}

/** One playing source: its buffer players, each through its own fade gain. */
interface Voice {
  players: AudioBufferSourceNode[];
  fades: GainNode[];
  /** Context time at which the loop's frame 0 played. */
  startedAt: number;
  info: SourceInfo;
}

export class SourcePlayer {
  readonly drums: GainNode;
  readonly music: GainNode;
  readonly mix: GainNode;
  private readonly ctx: BaseAudioContext;
  private voice: Voice | null = null;

  constructor(ctx: BaseAudioContext) {
    this.ctx = ctx;
    this.drums = new GainNode(ctx);
    this.music = new GainNode(ctx);
    this.mix = new GainNode(ctx);
    this.drums.connect(this.mix);
    this.music.connect(this.mix);
  }

  /** What is playing, or null before the first source. */
  get info(): SourceInfo | null {
    return this.voice?.info ?? null;
  }

  /** Seconds into the loop now (0 before a source plays). */
  get position(): number {
    const v = this.voice;
    if (v === null) return 0;
    const t = this.ctx.currentTime - v.startedAt;
    return t <= 0 ? 0 : t % v.info.duration;
  }

  /**
   * Starts looping new buffers from their beginning, fading out whatever played before. `stems.drums` is
   * optional (a file is one buffer, played on `music`). Resolves when the old source has stopped (about 0.1 s
   * of audio time later; at once when there was none), so meters reset then measure the new source alone.
   */
  play(info: SourceInfo, stems: { drums?: AudioBuffer; music: AudioBuffer }): Promise<void> {
    const ctx = this.ctx;
    const old = this.voice;
    let ended: Promise<unknown> = Promise.resolve();
    if (old !== null) {
      for (const f of old.fades) glide(f.gain, 0, ctx);
      const end = ctx.currentTime + 0.1;
      ended = Promise.all(old.players.map((p, i) => new Promise<void>((resolve) => {
        p.addEventListener('ended', () => {
          old.fades[i].disconnect();
          resolve();
        }, { once: true });
        p.stop(end);
      })));
    }
    const when = ctx.currentTime + 0.01;
    const voice: Voice = { players: [], fades: [], startedAt: when, info };
    const route = (buffer: AudioBuffer, out: AudioNode): void => {
      const player = new AudioBufferSourceNode(ctx, { buffer, loop: true });
      const fade = new GainNode(ctx, { gain: 0 });
      player.connect(fade).connect(out);
      glide(fade.gain, 1, ctx);
      player.start(when);
      voice.players.push(player);
      voice.fades.push(fade);
    };
    route(stems.music, this.music);
    if (stems.drums !== undefined) route(stems.drums, this.drums);
    this.voice = voice;
    return ended.then(() => undefined);
  }
}

/** Copies a planar stereo pair into a new AudioBuffer at `sampleRate` (Hz). */
export function stereoBuffer(channels: readonly [Float32Array, Float32Array], sampleRate: number): AudioBuffer {
  const b = new AudioBuffer({ numberOfChannels: 2, length: channels[0].length, sampleRate });
  b.copyToChannel(channels[0] as Float32Array<ArrayBuffer>, 0);
  b.copyToChannel(channels[1] as Float32Array<ArrayBuffer>, 1);
  return b;
}

/**
 * Decodes an audio file the visitor chose or dropped. Rejects with an Error whose message says in plain words
 * what went wrong (not audio, a format this browser cannot decode, empty).
 */
export async function decodeFile(ctx: BaseAudioContext, file: File): Promise<AudioBuffer> {
  if (file.size === 0) throw new Error(`“${file.name}” is empty.`);
  const bytes = await file.arrayBuffer();
  let buffer: AudioBuffer;
  try {
    buffer = await ctx.decodeAudioData(bytes);
  } catch {
    throw new Error(
      `“${file.name}” could not be decoded: it is not audio, or not in a format this browser reads (try WAV, MP3, FLAC, Ogg or AAC).`,
    );
  }
  if (buffer.length === 0 || buffer.duration < 0.05) throw new Error(`“${file.name}” holds no audio.`);
  return buffer;
}
