/**
 * Reads wam-transport events (WamTransportData: currentBar, currentBarStarted in AudioContext seconds, tempo in
 * bpm, timeSigNumerator / timeSigDenominator, playing) and says when the programme starts afresh: playback
 * starts, or the position jumps (the bar reported is not where the previous event's bar, tempo and metre say
 * playback has reached). Then the gain re-acquires (dsp/gain-law.ts): the detectors' windows hold audio from
 * before the jump, which says nothing about what plays now. Pure and allocation-free (audio thread).
 */

/** A position this far (in bars) from where continuous playback would be counts as a jump. */
const JUMP_BARS = 0.01;

export class TransportWatch {
  private playing = false;
  private bar = 0;
  private barStarted = 0;
  private barSeconds = 0;

  /** Feeds one event's data; true when playback starts or jumps. Malformed data is ignored (false). */
  restarts(data: unknown): boolean {
    if (data === null || typeof data !== 'object') return false;
    const d = data as { playing?: unknown; currentBar?: unknown; currentBarStarted?: unknown; tempo?: unknown; timeSigNumerator?: unknown; timeSigDenominator?: unknown };
    if (typeof d.playing !== 'boolean') return false;
    const bar = typeof d.currentBar === 'number' && Number.isFinite(d.currentBar) ? d.currentBar : 0;
    const started = typeof d.currentBarStarted === 'number' && Number.isFinite(d.currentBarStarted) ? d.currentBarStarted : 0;
    const tempo = typeof d.tempo === 'number' && d.tempo > 0 ? d.tempo : 120;
    const num = typeof d.timeSigNumerator === 'number' && d.timeSigNumerator > 0 ? d.timeSigNumerator : 4;
    const den = typeof d.timeSigDenominator === 'number' && d.timeSigDenominator > 0 ? d.timeSigDenominator : 4;
    let restart = false;
    if (d.playing && !this.playing) {
      restart = true;
    } else if (d.playing && this.barSeconds > 0) {
      // Where continuous playback from the previous event would be at this event's bar start.
      const expected = this.bar + (started - this.barStarted) / this.barSeconds;
      restart = Math.abs(bar - expected) > JUMP_BARS;
    }
    this.playing = d.playing;
    this.bar = bar;
    this.barStarted = started;
    this.barSeconds = (num * (4 / den) * 60) / tempo;
    return restart;
  }
}
