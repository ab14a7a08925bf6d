/**
 * When an estimate counts as settled: auto-lock's condition on the estimate (dsp/gain-law.ts), and the GUI's
 * "Settled" (gui/settle-text.ts), from one place. Plain constants, valid AssemblyScript and TypeScript alike
 * (no AssemblyScript types, no imports), so the GUI imports these numbers without any DSP code.
 */

/** The estimate has been built from at least this much ungated audio, s ... */
export const LOCK_SECONDS = 6.0;
/** ... and the wanted gain has moved by less than this over the last 3 s (its drift), dB. */
export const LOCK_DRIFT_DB = 0.3;
