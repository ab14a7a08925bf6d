/**
 * The settle line under the gain: how settled the learned gain is, from the readout's settledness figures
 * (wam/readout.ts estimateSeconds and drift, issue 9) and the auto-lock state: "Settled 12 s · drift 0.1 dB",
 * "Settling 3 s · drift 1.4 dB", "Locked 14 s · drift 0.2 dB". Pure (a readout in, words out), so every case is
 * tested in Node.
 *
 * "Settled" uses the estimate part of auto-lock's condition (LOCK_SECONDS and LOCK_DRIFT_DB, imported from their
 * one home, dsp/settle-constants.ts: plain numbers, no DSP code): at least 6 s of ungated audio behind the
 * estimate and a drift of at most 0.3 dB over the last 3 s (auto-lock also waits for the gain to reach the wanted
 * gain within the tolerance), so the word means what auto-lock acts on.
 */
import type { Readout } from '../wam/readout.ts';
import { LOCK_DRIFT_DB, LOCK_SECONDS } from '../dsp/settle-constants.ts';
import { formatSeconds } from './format.ts';

/** Seconds of ungated audio behind an estimate before it can count as settled (auto-lock's LOCK_SECONDS). */
export const SETTLED_SECONDS: number = LOCK_SECONDS;
/** Largest spread of the wanted gain over the last 3 s, dB, for a settled estimate (auto-lock's LOCK_DRIFT_DB). */
export const SETTLED_DRIFT_DB: number = LOCK_DRIFT_DB;

export type SettleState = 'none' | 'settling' | 'settled' | 'locked';

export interface SettleLine {
  /** What the estimate is: nothing to say (reference, bypass), still moving, settled, or held by auto-lock. */
  state: SettleState;
  /** e.g. "Settled 12 s"; empty for 'none'. */
  head: string;
  /** e.g. "drift 0.1 dB" ("drift —" before the first 100 ms); empty for 'none'. */
  drift: string;
  /** "Auto-lock on" while auto-lock waits for the estimate to settle, else empty. */
  lock: string;
  /** The whole line, parts joined by " · ". */
  text: string;
  /** A sentence for the tooltip: what the numbers mean. */
  title: string;
  /** 0..1: how far the estimate is towards settled (time and drift), for a small indicator. */
  progress: number;
}

const NONE: SettleLine = Object.freeze({ state: 'none', head: '', drift: '', lock: '', text: '', title: '', progress: 0 }) as SettleLine;

/** The drift in dB, one decimal; "—" when there is none yet (NaN). */
export function formatDrift(db: number): string {
  return db === db && db >= 0 ? `${db < 9.95 ? db.toFixed(1) : Math.round(db)} dB` : '\u2014';
}

/** The settle line of a readout. */
export function settleLine(r: Readout): SettleLine {
  if (r.mode === 'reference' || r.status.bypassed) return NONE;
  const seconds = Number.isFinite(r.estimateSeconds) ? Math.max(0, r.estimateSeconds) : 0;
  const drift = r.drift;
  const autoLock = r.parameters.autoLock === 1;
  const settled = seconds >= SETTLED_SECONDS && drift === drift && drift <= SETTLED_DRIFT_DB;
  const state: SettleState = r.status.locked ? 'locked' : settled ? 'settled' : 'settling';
  const head = `${state === 'locked' ? 'Locked' : settled ? 'Settled' : 'Settling'} ${formatSeconds(seconds)}`;
  const driftText = `drift ${formatDrift(drift)}`;
  const lock = autoLock && state !== 'locked' ? 'Auto-lock on' : '';
  const text = [head, driftText, lock].filter((s) => s !== '').join(' \u00b7 ');
  const timePart = Math.min(1, seconds / SETTLED_SECONDS);
  const driftPart = drift === drift ? Math.min(1, SETTLED_DRIFT_DB / Math.max(drift, 1e-9)) : 0;
  const progress = state === 'settling' ? Math.min(timePart, driftPart, 0.99) : 1;
  const title =
    `${formatSeconds(seconds)} of programme behind the gain estimate (since the start, a reset, a section change or a transport jump); ` +
    `the wanted gain moved by ${formatDrift(drift)} over the last 3 s. Settled: ${SETTLED_SECONDS} s or more and at most ${SETTLED_DRIFT_DB} dB.` +
    (state === 'locked' ? ' Auto-lock holds the gain.' : autoLock ? ' Auto-lock will hold the gain once settled.' : '');
  return { state, head, drift: driftText, lock, text, title, progress };
}
