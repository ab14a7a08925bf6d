/**
 * Public types of the LevelMatch library. These names are part of the package's API:
 * change them only with a major version.
 */

/** Named channel layouts, in the order used for the default by channel count. */
export type LayoutName = 'mono' | 'stereo' | '3.0' | 'quad' | '5.0' | '5.1' | '7.0' | '7.1';

/**
 * One channel's role. The BS.1770-5 weight follows from it (Annex 1, table 3):
 * front and centre 1.0, side surrounds at 60-120 degrees 1.41 (+1.5 dB), rear channels 1.0, LFE excluded.
 *
 * - `L` `R` `C`: front left, right, centre (1.0)
 * - `Lc` `Rc`: left/right of centre (1.0)
 * - `LFE`: low-frequency effects (excluded, 0)
 * - `Ls` `Rs`: surrounds, 60-120 degrees (1.41)
 * - `Lb` `Rb` `Cb`: rear/back channels, beyond 120 degrees (1.0)
 * - `Tfl` ... : height channels (elevation >= 30 degrees: 1.0) are given as `T`
 * - `X`: an unused channel (weight 0), e.g. a silent track in a multichannel file
 */
export type ChannelRole = 'L' | 'R' | 'C' | 'Lc' | 'Rc' | 'LFE' | 'Ls' | 'Rs' | 'Lb' | 'Rb' | 'Cb' | 'T' | 'X';

export interface LoudnessMeterOptions {
  /** Hz, 8000 to 384000. */
  sampleRate: number;
  /** 1 to 8. */
  channels: number;
  /** A layout name or one role per channel. Default: by channel count (see `defaultLayout`). */
  layout?: LayoutName | readonly ChannelRole[];
  /**
   * Measure true peak (default true). Oversampling is most of the meter's cost; without it `truePeak` and
   * `channelTruePeak` read NaN (unknown) and everything else is unchanged.
   */
  truePeak?: boolean;
}

export interface LoudnessResult {
  /** Momentary loudness, 400 ms window ending at the most recent evaluation (LUFS). */
  momentary: number;
  /** Short-term loudness, 3 s window (LUFS). */
  shortTerm: number;
  /** Gated integrated loudness since create/reset (LUFS), BS.1770-5 / Tech 3341. */
  integrated: number;
  /** Loudness range (LU), EBU Tech 3342. 0 until there are short-term values. */
  range: number;
  /** Highest momentary loudness since reset (LUFS). */
  momentaryMax: number;
  /** Highest short-term loudness since reset (LUFS). */
  shortTermMax: number;
  /** Highest true peak over all channels (dBTP). */
  truePeak: number;
  /** Highest sample peak over all channels (dBFS). */
  samplePeak: number;
  /** Per channel true peak (dBTP), in channel order. */
  channelTruePeak: number[];
  /** Per channel sample peak (dBFS), in channel order. */
  channelSamplePeak: number[];
  /** Count of non-finite input samples (NaN, +-Inf) seen since reset; they were metered as silence. */
  nonFinite: number;
}
