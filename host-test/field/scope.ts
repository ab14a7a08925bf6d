/**
 * Which of the goals a field scenario is held to, shared by the headless field test
 * (host-test/plugin/field.test.ts) and the Chromium one (host-test/field.browser.test.ts) so that both read the
 * issue (9) the same way. Test support only.
 *
 * - Target mode's share (within 1 LU of the target >= 85 % after 2 s, mean error < 0.7 LU) is the goal
 *   "on programme whose sections last 15 s or more": music in 15 s sections and the transients programme (one
 *   24 s section). Speech, whose phrases of a few seconds are its sections, is held to its integrated loudness
 *   instead (within 0.3 LU of the target: the gain is not ridden up by the pauses); its share is reported.
 * - Fresh start and burst are phrased against the reference (target). They are held so where a constant gain,
 *   the matched opening, meets them with MARGIN to spare; elsewhere the programme's or the effect's own
 *   momentary swing (a compressor's syllable-to-syllable gain, an EQ's bar-to-bar one) decides the raw figure,
 *   and the gain law's own part (metrics.ts freshGain, burstGain: against the matched opening) is held to the
 *   goal instead; the raw figure is printed. The gain's own part is held to the goal everywhere.
 */
import type { Metrics } from './metrics.ts';

/** LU a constant gain must have to spare for a raw goal to be asserted. */
export const MARGIN = 0.5;
/** The fresh-start goal: within 1 LU (momentary) 1 s after the programme starts. */
export const FRESH_LU = 1;
/** The burst goal: no 400 ms window of the first 3 s more than 1.5 LU louder. */
export const BURST_LU = 1.5;

/** Whether a programme has sections of 15 s or more (the target-mode share's scope). */
export const hasLongSections = (programme: string): boolean => !/speech/i.test(programme);

/** Whether the raw fresh-start error is held to the goal (a constant gain meets it with MARGIN to spare). */
export const rawFreshHeld = (m: Pick<Metrics, 'freshStatic'>): boolean => Math.abs(m.freshStatic) <= FRESH_LU - MARGIN;

/** Whether the raw burst is held to the goal. */
export const rawBurstHeld = (m: Pick<Metrics, 'burstStatic'>): boolean => m.burstStatic <= BURST_LU - MARGIN;
