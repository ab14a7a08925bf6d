/**
 * Readouts: the processor posts { levelmatch: 'readout', data: Float64Array } about every 40 ms of audio; the
 * node decodes it into a friendly object with decodeReadout(). The array holds the engine's READOUT_COUNT slots
 * (engine-abi R; its status slot already carries the processor's link bits) followed by the slots below.
 * Pure module.
 */
import { R, READOUT_COUNT, S } from './engine-abi.ts';
import { MODE_CHOICES, PARAMETER_IDS, type ParameterId } from './parameters.ts';

/** Extra slots the processor appends after the engine's readout. */
export const READOUT_LINK = READOUT_COUNT; // link channel 1..LINK_CHANNEL_COUNT (256)
export const READOUT_MODE = READOUT_COUNT + 1; // mode index (parameter `mode`)
export const READOUT_FRAME = READOUT_COUNT + 2; // absolute frame (context clock) the readout was taken at
/**
 * The parameters' plain values at the readout's frame, in slot order (PARAMETER_IDS): a GUI follows host
 * automation through them without asking the audio thread (getParameterValues is a message round trip that
 * allocates there).
 */
export const READOUT_PARAMETERS = READOUT_COUNT + 3;
export const READOUT_MESSAGE_LENGTH = READOUT_PARAMETERS + PARAMETER_IDS.length;

/** Loudness figures of one signal: LUFS, range in LU, rms on the LUFS scale (unweighted, 3 s). */
export interface LoudnessReadout {
  momentary: number;
  shortTerm: number;
  integrated: number;
  momentaryMax: number;
  shortTermMax: number;
  range: number;
  /** Unweighted 3 s loudness. NaN for the output: the engine does not measure it. */
  rms: number;
}

export interface SignalReadout extends LoudnessReadout {
  /** dBTP, maximum since the last meter reset. */
  truePeak: number;
}

export interface ReadoutStatus {
  linked: boolean;
  noReference: boolean;
  duplicateReference: boolean;
  referenceLost: boolean;
  gated: boolean;
  atRangeLimit: boolean;
  atCeiling: boolean;
  learning: boolean;
  held: boolean;
  nonFiniteInput: boolean;
  bypassed: boolean;
  listeningReference: boolean;
  tracking: boolean;
  /** autoLock has held the gain once the estimate settled. */
  locked: boolean;
  /** First estimate (start, reset, section change, transport): the gain moves without the deadband. */
  acquiring: boolean;
  listeningDelta: boolean;
}

/** How the applied latency was found. */
export type LatencySourceName = 'manual' | 'detected' | 'restored' | 'none';
const LATENCY_SOURCES: readonly LatencySourceName[] = ['manual', 'detected', 'restored', 'none'];

export interface LatencyReadout {
  /** Frames: the detector's latest estimate (NaN when not detecting or none yet). */
  detectedFrames: number;
  /** 0..1: how sure that estimate is (NaN when not detecting). */
  confidence: number;
  /** Frames the reference is delayed by now (automatic or manual). */
  appliedFrames: number;
  /** How the applied latency was found. */
  source: LatencySourceName;
}

export type ModeName = (typeof MODE_CHOICES)[number];

export interface Readout {
  reference: LoudnessReadout;
  input: SignalReadout;
  output: SignalReadout;
  gain: {
    /** dB applied to the audio right now (0 when bypassed or in reference mode). */
    applied: number;
    /** dB the engine is heading for, after the range and ceiling limits. */
    wanted: number;
    /** dB the follow logic holds (the learned / held gain), before bypass. */
    engine: number;
    /** dB the detectors ask for, before the range (the status says by how much the range holds it). */
    unlimited: number;
    /** dB by which the true-peak ceiling holds the applied gain below the engine gain (0 when it does not). */
    ceilingReduction: number;
  };
  /** Settledness: seconds of ungated audio behind the current estimate (since start, reset, section change, transport). */
  estimateSeconds: number;
  /** Settledness: spread of the wanted gain over the last 3 s, dB (NaN before the first 100 ms). */
  drift: number;
  /** Seconds of audio since learning started (0 when not learning). */
  learnSeconds: number;
  /** NaN / infinite input samples seen since creation (replaced by 0). */
  nonFinite: number;
  status: ReadoutStatus;
  /** The status bits as one number (engine-abi S). */
  statusBits: number;
  /** Link channel 1..256 (LINK_CHANNEL_COUNT). */
  link: number;
  /** The mode, as its choice name. */
  mode: ModeName;
  /** Absolute frame (of the AudioContext clock) at which the readout was taken. */
  frame: number;
  /** Every parameter's plain value at that frame (automation included). */
  parameters: Record<ParameterId, number>;
  /** The reference's alignment (autoLatency / latency). */
  latency: LatencyReadout;
}

const STATUS_BITS: ReadonlyArray<readonly [keyof ReadoutStatus, number]> = [
  ['linked', S.linked],
  ['noReference', S.noReference],
  ['duplicateReference', S.duplicateReference],
  ['referenceLost', S.referenceLost],
  ['gated', S.gated],
  ['atRangeLimit', S.atRangeLimit],
  ['atCeiling', S.atCeiling],
  ['learning', S.learning],
  ['held', S.held],
  ['nonFiniteInput', S.nonFiniteInput],
  ['bypassed', S.bypassed],
  ['listeningReference', S.listeningReference],
  ['tracking', S.tracking],
  ['locked', S.locked],
  ['acquiring', S.acquiring],
  ['listeningDelta', S.listeningDelta],
];

/** Decodes the status bit set. */
export function decodeStatus(bits: number): ReadoutStatus {
  const out = {} as ReadoutStatus;
  for (const [name, bit] of STATUS_BITS) out[name] = (bits & bit) !== 0;
  return out;
}

/**
 * Decodes a readout array (READOUT_MESSAGE_LENGTH numbers). Throws a RangeError when it is too short. Loudness
 * may be -Infinity (silence / not measured yet).
 */
export function decodeReadout(d: ArrayLike<number>): Readout {
  if (d.length < READOUT_MESSAGE_LENGTH) {
    throw new RangeError(`a readout has ${READOUT_MESSAGE_LENGTH} values, got ${d.length}`);
  }
  const statusBits = d[R.status] >>> 0;
  const mode = MODE_CHOICES[d[READOUT_MODE]] ?? MODE_CHOICES[1];
  const parameters = {} as Record<ParameterId, number>;
  for (let i = 0; i < PARAMETER_IDS.length; i++) parameters[PARAMETER_IDS[i]] = d[READOUT_PARAMETERS + i];
  return {
    reference: {
      momentary: d[R.refM],
      shortTerm: d[R.refS],
      integrated: d[R.refI],
      momentaryMax: d[R.refMmax],
      shortTermMax: d[R.refSmax],
      range: d[R.refLRA],
      rms: d[R.refRms],
    },
    input: {
      momentary: d[R.inM],
      shortTerm: d[R.inS],
      integrated: d[R.inI],
      momentaryMax: d[R.inMmax],
      shortTermMax: d[R.inSmax],
      range: d[R.inLRA],
      rms: d[R.inRms],
      truePeak: d[R.truePeakIn],
    },
    output: {
      momentary: d[R.outM],
      shortTerm: d[R.outS],
      integrated: d[R.outI],
      momentaryMax: d[R.outMmax],
      shortTermMax: d[R.outSmax],
      range: d[R.outLRA],
      rms: NaN,
      truePeak: d[R.truePeakOut],
    },
    gain: { applied: d[R.gainApplied], wanted: d[R.gainWanted], engine: d[R.engineGain], unlimited: d[R.gainUnlimited], ceilingReduction: d[R.ceilingReduction] },
    estimateSeconds: d[R.estimateSeconds],
    drift: d[R.drift],
    learnSeconds: d[R.learnSeconds],
    nonFinite: d[R.nonFinite],
    status: decodeStatus(statusBits),
    statusBits,
    link: d[READOUT_LINK],
    mode,
    frame: d[READOUT_FRAME],
    parameters,
    latency: {
      detectedFrames: d[R.latencyDetected],
      confidence: d[R.latencyConfidence],
      appliedFrames: d[R.latencyApplied],
      source: LATENCY_SOURCES[d[R.latencySource]] ?? 'manual',
    },
  };
}
