/**
 * The engine's slot numbers and status bits, AssemblyScript side: the same numbers as wam/engine-abi.ts (the
 * contract with JavaScript); a test checks both agree through the exports engineParamCount / engineReadoutCount
 * and reads every slot through the ABI names.
 */

// Parameter slots (wam/engine-abi.ts P).
export const P_MODE: i32 = 0;
export const P_LINK: i32 = 1;
export const P_DETECTOR: i32 = 2;
export const P_FOLLOW: i32 = 3;
export const P_RESPONSE: i32 = 4;
export const P_TOLERANCE: i32 = 5;
export const P_MAX_BOOST: i32 = 6;
export const P_MAX_CUT: i32 = 7;
export const P_GATE: i32 = 8;
export const P_TARGET: i32 = 9;
export const P_OFFSET: i32 = 10;
export const P_LATENCY: i32 = 11;
export const P_CEILING: i32 = 12;
export const P_CEILING_ON: i32 = 13;
export const P_LISTEN: i32 = 14;
export const P_BYPASS: i32 = 15;

// Modes, detectors, follow modes (wam/engine-abi.ts Mode, Detector, Follow).
export const MODE_REFERENCE: i32 = 0;
export const MODE_MATCH: i32 = 1;
export const MODE_SIDECHAIN: i32 = 2;
export const MODE_TARGET: i32 = 3;
export const DETECTOR_MOMENTARY: i32 = 0;
export const DETECTOR_SHORT_TERM: i32 = 1;
export const DETECTOR_INTEGRATED: i32 = 2;
export const DETECTOR_RMS: i32 = 3;
export const FOLLOW_CONTINUOUS: i32 = 0;
export const FOLLOW_LEARN: i32 = 1;
export const FOLLOW_HOLD: i32 = 2;

// Readout slots (wam/engine-abi.ts R).
export const R_REF_M: i32 = 0;
export const R_REF_S: i32 = 1;
export const R_REF_I: i32 = 2;
export const R_IN_M: i32 = 3;
export const R_IN_S: i32 = 4;
export const R_IN_I: i32 = 5;
export const R_OUT_M: i32 = 6;
export const R_OUT_S: i32 = 7;
export const R_OUT_I: i32 = 8;
export const R_GAIN_APPLIED: i32 = 9;
export const R_GAIN_WANTED: i32 = 10;
export const R_TRUE_PEAK_IN: i32 = 11;
export const R_TRUE_PEAK_OUT: i32 = 12;
export const R_STATUS: i32 = 13;
export const R_NON_FINITE: i32 = 14;
export const R_LEARN_SECONDS: i32 = 15;
export const R_REF_M_MAX: i32 = 16;
export const R_REF_S_MAX: i32 = 17;
export const R_OUT_M_MAX: i32 = 18;
export const R_OUT_S_MAX: i32 = 19;
export const R_IN_M_MAX: i32 = 20;
export const R_IN_S_MAX: i32 = 21;
export const R_REF_LRA: i32 = 22;
export const R_IN_LRA: i32 = 23;
export const R_OUT_LRA: i32 = 24;
export const R_ENGINE_GAIN: i32 = 25;
export const R_IN_RMS: i32 = 26;
export const R_REF_RMS: i32 = 27;

// Status bits, engine part (wam/engine-abi.ts S).
export const S_GATED: i32 = 1 << 8;
export const S_AT_RANGE_LIMIT: i32 = 1 << 9;
export const S_AT_CEILING: i32 = 1 << 10;
export const S_LEARNING: i32 = 1 << 11;
export const S_HELD: i32 = 1 << 12;
export const S_NON_FINITE_INPUT: i32 = 1 << 13;
export const S_BYPASSED: i32 = 1 << 14;
export const S_LISTENING_REFERENCE: i32 = 1 << 15;
export const S_TRACKING: i32 = 1 << 16;

// Appended for the gain law in the field (issue 9): parameters, readouts, status bits.
export const P_CEILING_IN_MATCH: i32 = 16;
export const P_AUTO_LOCK: i32 = 17;
export const R_GAIN_UNLIMITED: i32 = 28;
export const R_CEILING_REDUCTION: i32 = 29;
export const R_ESTIMATE_SECONDS: i32 = 30;
export const R_DRIFT: i32 = 31;
export const S_LOCKED: i32 = 1 << 17;
export const S_ACQUIRING: i32 = 1 << 18;

// Appended for automatic latency and delta listen (issue 12): parameter, readouts, listen choices, sources, bit.
export const P_AUTO_LATENCY: i32 = 18;
export const R_LATENCY_DETECTED: i32 = 32;
export const R_LATENCY_CONFIDENCE: i32 = 33;
export const R_LATENCY_APPLIED: i32 = 34;
export const R_LATENCY_SOURCE: i32 = 35;
export const LISTEN_OUTPUT: i32 = 0;
export const LISTEN_REFERENCE: i32 = 1;
export const LISTEN_DELTA: i32 = 2;
export const SOURCE_MANUAL: i32 = 0;
export const SOURCE_DETECTED: i32 = 1;
export const SOURCE_RESTORED: i32 = 2;
export const SOURCE_NONE: i32 = 3;
export const S_LISTENING_DELTA: i32 = 1 << 19;

/** The `link` parameter's range, 1..LINK_CHANNELS: wam/parameters.ts LINK_CHANNEL_COUNT (16 before round 12). */
export const LINK_CHANNELS: i32 = 256;
