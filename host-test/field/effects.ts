/**
 * Field effects (issue 9): the processing a producer puts between a reference and a match instance, streaming
 * and stateful like host-test/effects.ts (whose compressor, saturation and tilt they reuse). Test support only.
 */
import { compressorEffect, type Effect } from '../effects.ts';

export { compressorEffect, saturationEffect, tiltEffect, gainEffect, chain, type Effect } from '../effects.ts';

/** A flat gain moved mid-stream: `moves` are [time s, gain dB] steps (a rack's output fader jumped). */
export function movingGain(fs: number, moves: Array<[number, number]>, startDb = 0): Effect {
  let frame = 0;
  let k = 0;
  let g = 10 ** (startDb / 20);
  return {
    name: `gain ${startDb} dB${moves.length ? `, moved ${moves.map(([t, d]) => `${d > 0 ? '+' : ''}${d} dB at ${t} s`).join(', ')}` : ''}`,
    process(ch, frames) {
      for (let i = 0; i < frames; i++, frame++) {
        while (k < moves.length && frame >= Math.round(moves[k][0] * fs)) g = 10 ** (moves[k++][1] / 20);
        for (const x of ch) x[i] *= g;
      }
    },
  };
}

/** A compressor whose 3 ms attack lets transients through: threshold -35 dB, 8:1, no make-up. */
export const transientCompressor = (fs: number): Effect => compressorEffect(fs, -35, 8, 0, 0.003, 0.1);

/**
 * A compressor with a start-up overshoot and a large make-up: its envelope starts at no reduction and its
 * attack is slow (60 ms), so its first beats pass with the whole +14 dB make-up before it clamps down.
 */
export const overshootCompressor = (fs: number): Effect => compressorEffect(fs, -30, 6, 14, 0.06, 0.25);
