/**
 * The GUI's display components: importing this module registers `<levelmatch-meter>`, `<levelmatch-history>` and
 * `<levelmatch-gain>` (once per page, see defineOnce) and exports their classes and the pure scale helpers.
 */
export { LevelMatchMeter } from './meter.ts';
export type { MeterTone } from './meter.ts';
export { LevelMatchHistory, READINGS_PER_SECOND } from './history.ts';
export { LevelMatchGainReadout } from './gain-readout.ts';
export type { GainState } from './gain-readout.ts';
export { HistoryBuffer } from './history-buffer.ts';
export {
  SCALE_LABELS,
  SCALE_NAMES,
  TARGET_LUFS,
  isScaleName,
  levelToFraction,
  scaleRange,
  scaleStep,
  scaleTicks,
  scaleWarnFrom,
} from './meter-scale.ts';
export type { ScaleName } from './meter-scale.ts';
export { MIN_GAIN_AXIS, gainAxisRange, gainToFraction } from './gain-scale.ts';
