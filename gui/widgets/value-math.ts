/**
 * The input widgets' arithmetic, kept apart from the DOM so it is tested in Node: mapping a value to a dial
 * position and back (with a taper), drag and key steps, clamping and snapping, the dial's SVG geometry, and
 * roving focus in a row of options.
 *
 * Two spaces appear throughout:
 * - value space: the parameter's own unit (dB, s, LUFS, a channel number), between min and max;
 * - position space: 0..1 along the dial's sweep (or a drag's travel). With taper t, value = min + (max-min)·n^t,
 *   so t > 1 spreads the low end of the range over more of the travel (fine control of a 0.1..30 s time).
 */

/** Vertical pointer travel that covers the whole range, in CSS px (position space, before the fine factor). */
export const DRAG_RANGE_PX = 200;
/** Drag, key and wheel steps are multiplied by this while Shift (or Ctrl/Cmd for drags) is held. */
export const FINE_FACTOR = 0.1;
/** How far a pointer must move (CSS px) before a press becomes a drag; a shorter press is a click. */
export const CLICK_SLOP_PX = 3;
/** The dial's sweep, in degrees, centred on 12 o'clock: from -135° (min) to +135° (max). */
export const DIAL_SWEEP_DEG = 270;
/** Key and wheel steps arrive one at a time; a gesture ends this long after the last one (ms). */
export const STEP_GESTURE_END_MS = 400;

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** A taper only makes sense when positive; anything else (0, NaN, negative) falls back to linear. */
function safeTaper(taper: number): number {
  return taper > 0 && Number.isFinite(taper) ? taper : 1;
}

/**
 * Rounds away binary floating-point noise (0.1 + 0.2 = 0.30000000000000004) to about seven significant digits
 * of the range, far finer than any drag (a 10x-fine drag resolves 1/2000 of the range per px) or display.
 * Negative zero becomes zero, so "-0.0" never shows.
 */
export function tidy(x: number, range: number): number {
  if (!Number.isFinite(x) || !(range > 0) || !Number.isFinite(range)) return x;
  const digits = clamp(7 - Math.floor(Math.log10(range)), 0, 20);
  const r = Number(x.toFixed(digits));
  return r === 0 ? 0 : r;
}

/**
 * A candidate value made legal: clamped to [min, max], snapped to the step grid (counted from min) when
 * step > 0, tidied. min and max themselves come back exactly, even when the grid does not land on max.
 */
export function quantize(v: number, min: number, max: number, step: number): number {
  if (v !== v) return min;
  if (v <= min) return min;
  if (v >= max) return max;
  let x = v;
  if (step > 0) x = min + Math.round((v - min) / step) * step;
  return clamp(tidy(x, max - min), min, max);
}

/** Value space to position space: 0 at min, 1 at max, inverse of the taper. Out-of-range values clamp. */
export function valueToPosition(v: number, min: number, max: number, taper: number): number {
  if (!(max > min)) return 0;
  const lin = clamp((v - min) / (max - min), 0, 1);
  if (lin !== lin) return 0;
  return lin ** (1 / safeTaper(taper));
}

/** Position space to value space: min + (max-min)·n^taper, with n clamped to [0, 1]. Not snapped. */
export function positionToValue(n: number, min: number, max: number, taper: number): number {
  if (!(max > min)) return min;
  const p = clamp(n, 0, 1);
  if (p === 0) return min;
  if (p === 1) return max;
  return min + (max - min) * p ** safeTaper(taper);
}

/**
 * One pointer move of a vertical drag: dyPx is the move in CSS px, positive downwards (screen y), so moving
 * up raises the value. The result stays unsnapped so slow drags over a coarse step grid still accumulate.
 */
export function dragPosition(pos: number, dyPx: number, fine: boolean): number {
  return clamp(pos - (dyPx / DRAG_RANGE_PX) * (fine ? FINE_FACTOR : 1), 0, 1);
}

/** The arrow-key step when none is given: a hundredth of the range, or one grid step for discrete values. */
export function defaultKeyStep(min: number, max: number, step: number): number {
  return step > 0 ? step : (max - min) / 100;
}

/** The keyStep in force: the given one when it is a positive number, else the default. */
export function effectiveKeyStep(keyStep: number | undefined, min: number, max: number, step: number): number {
  return keyStep !== undefined && keyStep > 0 && Number.isFinite(keyStep) ? keyStep : defaultKeyStep(min, max, step);
}

/** One key or wheel step in value space; fine divides by ten but never goes below one grid step. */
export function stepIncrement(keyStep: number, step: number, fine: boolean): number {
  const inc = fine ? keyStep * FINE_FACTOR : keyStep;
  return step > 0 ? Math.max(inc, step) : inc;
}

/** value + steps·increment, made legal (clamped, snapped, tidied). */
export function stepValue(value: number, steps: number, increment: number, min: number, max: number, step: number): number {
  const from = value === value ? value : min;
  return quantize(from + steps * increment, min, max, step);
}

/** What a key does on a focused slider; null for keys the slider leaves alone. */
export type SliderKeyAction =
  | { kind: 'step'; steps: number }
  | { kind: 'min' }
  | { kind: 'max' }
  | { kind: 'edit' }
  | { kind: 'reset' };

export function sliderKeyAction(key: string): SliderKeyAction | null {
  switch (key) {
    case 'ArrowUp':
    case 'ArrowRight':
      return { kind: 'step', steps: 1 };
    case 'ArrowDown':
    case 'ArrowLeft':
      return { kind: 'step', steps: -1 };
    case 'PageUp':
      return { kind: 'step', steps: 10 };
    case 'PageDown':
      return { kind: 'step', steps: -10 };
    case 'Home':
      return { kind: 'min' };
    case 'End':
      return { kind: 'max' };
    case 'Enter':
      return { kind: 'edit' };
    case 'Delete':
    case 'Backspace':
      return { kind: 'reset' };
    default:
      return null;
  }
}

/**
 * A wheel event as a step direction: +1 (wheel away from the user, deltaY < 0), -1, or 0 to ignore. Browsers
 * turn Shift+wheel into horizontal scrolling (deltaY 0, deltaX set), so with Shift the x delta stands in.
 */
export function wheelDirection(deltaX: number, deltaY: number, shift: boolean): -1 | 0 | 1 {
  const d = deltaY !== 0 ? deltaY : shift ? deltaX : 0;
  return d < 0 ? 1 : d > 0 ? -1 : 0;
}

/** The dial angle for a position, in degrees clockwise from 12 o'clock: -135 at 0, +135 at 1. */
export function dialAngle(pos: number): number {
  return (clamp(pos, 0, 1) - 0.5) * DIAL_SWEEP_DEG;
}

/** A point on a circle at an angle in degrees clockwise from 12 o'clock, in SVG coordinates (y down). */
export function polarPoint(cx: number, cy: number, r: number, deg: number): [number, number] {
  const a = (deg * Math.PI) / 180;
  return [round3(cx + r * Math.sin(a)), round3(cy - r * Math.cos(a))];
}

/** Three decimals are plenty for a few-dozen-px SVG and keep the path strings short and stable. */
function round3(x: number): number {
  const r = Math.round(x * 1000) / 1000;
  return r === 0 ? 0 : r;
}

/**
 * An SVG path for the arc from angle a0 to a1 (degrees, clockwise from 12 o'clock; order does not matter),
 * drawn clockwise. Empty when the two angles coincide (nothing to draw).
 */
export function arcPath(cx: number, cy: number, r: number, a0: number, a1: number): string {
  const from = Math.min(a0, a1);
  const to = Math.max(a0, a1);
  if (to - from < 1e-6) return '';
  const [x0, y0] = polarPoint(cx, cy, r, from);
  const [x1, y1] = polarPoint(cx, cy, r, to);
  const large = to - from > 180 ? 1 : 0;
  return `M ${x0} ${y0} A ${r} ${r} 0 ${large} 1 ${x1} ${y1}`;
}

/**
 * Where the value arc starts, in position space: at min, or at zero for a bipolar range (min < 0 < max), so a
 * gain of -3 dB reads as an arc to the left of centre.
 */
export function arcOrigin(min: number, max: number, taper: number): number {
  return min < 0 && max > 0 ? valueToPosition(0, min, max, taper) : 0;
}

/**
 * Roving focus in a row of options: the index a key moves to, wrapping at the ends, or null for keys that do not
 * move. An out-of-range current index (nothing selected) counts as before the first option.
 */
export function roveIndex(key: string, index: number, count: number): number | null {
  if (count <= 0) return null;
  const at = index >= 0 && index < count ? index : -1;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return (at + 1) % count;
    case 'ArrowLeft':
    case 'ArrowUp':
      return at <= 0 ? count - 1 : at - 1;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** The text a screen reader hears: the shown number with an ASCII minus (U+2212 is not read as "minus" by all), then the units. */
export function spokenValue(text: string, units: string): string {
  const t = text.replace(/\u2212/g, '-');
  return units ? `${t} ${units}` : t;
}
