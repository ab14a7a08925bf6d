import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  arcOrigin,
  arcPath,
  clamp,
  defaultKeyStep,
  dialAngle,
  dragPosition,
  effectiveKeyStep,
  polarPoint,
  positionToValue,
  quantize,
  roveIndex,
  sliderKeyAction,
  spokenValue,
  stepIncrement,
  stepValue,
  tidy,
  valueToPosition,
  wheelDirection,
} from './value-math.ts';

test('clamp and tidy: float noise goes, -0 becomes 0', () => {
  assert.is(clamp(5, 0, 3), 3);
  assert.is(clamp(-1, 0, 3), 0);
  assert.is(clamp(2, 0, 3), 2);
  assert.is(tidy(0.1 + 0.2, 1), 0.3);
  assert.is(tidy(-0.00000001, 1), 0);
  assert.ok(Object.is(tidy(-0.00000001, 1), 0), 'positive zero');
  // Range 30 keeps 6 decimals: 12.3456789 -> 12.345679.
  assert.is(tidy(12.3456789, 30), 12.345679);
  assert.ok(Number.isNaN(tidy(NaN, 1)));
});

test('quantize: clamps, snaps to the grid from min, keeps min and max exact', () => {
  assert.is(quantize(-30, -24, 24, 0), -24);
  assert.is(quantize(99, -24, 24, 0), 24);
  assert.is(quantize(0.30000000000000004, 0, 1, 0), 0.3);
  assert.is(quantize(3.4, 1, 16, 1), 3);
  assert.is(quantize(3.5, 1, 16, 1), 4);
  // Grid from min = 0.05 with step 0.1: 0.05, 0.15, 0.25 ... so 0.22 -> 0.25.
  assert.is(quantize(0.22, 0.05, 1, 0.1), 0.25);
  // 0.1 + 3 * 0.1 is 0.4 (not 0.4000000000000001).
  assert.is(quantize(0.37, 0.1, 1, 0.1), 0.4);
  // A grid that does not land on max: 0..10 step 3 -> 9.6 / 3 = 3.2 -> 9; with step 6, 9.5 / 6 = 1.58 -> 12,
  // clamped to exactly 10.
  assert.is(quantize(9.6, 0, 10, 3), 9);
  assert.is(quantize(9.5, 0, 10, 6), 10);
  assert.is(quantize(NaN, 2, 5, 0), 2);
});

test('positions: linear and tapered, both directions', () => {
  assert.is(valueToPosition(0, -24, 24, 1), 0.5);
  assert.is(valueToPosition(-24, -24, 24, 1), 0);
  assert.is(valueToPosition(40, -24, 24, 1), 1);
  assert.is(positionToValue(0.25, -24, 24, 1), -12);
  // Taper 2 on 0.1..30 s: n = 0.5 -> 0.1 + 29.9 * 0.25 = 7.575 s.
  assert.ok(Math.abs(positionToValue(0.5, 0.1, 30, 2) - 7.575) < 1e-12);
  assert.is(quantize(positionToValue(0.5, 0.1, 30, 2), 0.1, 30, 0), 7.575, 'tidied when made legal');
  // And back: (7.475 / 29.9)^(1/2) = 0.25^0.5 = 0.5.
  assert.ok(Math.abs(valueToPosition(7.575, 0.1, 30, 2) - 0.5) < 1e-12);
  // Taper 3 on 0..1000 ms: n = 0.1 -> 1000 * 0.001 = 1 ms.
  assert.ok(Math.abs(positionToValue(0.1, 0, 1000, 3) - 1) < 1e-9);
  // Ends are exact whatever the taper.
  assert.is(positionToValue(1, 0.1, 30, 2.5), 30);
  assert.is(positionToValue(0, 0.1, 30, 2.5), 0.1);
  // A bad taper is linear; an empty range maps to 0 / min.
  assert.is(positionToValue(0.5, 0, 10, 0), 5);
  assert.is(valueToPosition(3, 5, 5, 1), 0);
  assert.is(positionToValue(0.7, 5, 5, 1), 5);
});

test('drag: 200 px covers the range, moving up raises, fine is 10x slower, clamped', () => {
  assert.is(dragPosition(0.5, -100, false), 1);
  assert.is(dragPosition(0.5, 50, false), 0.25);
  assert.is(dragPosition(0.5, -100, true), 0.55);
  assert.is(dragPosition(0.9, -100, false), 1);
  assert.is(dragPosition(0.1, 100, false), 0);
  // 40 px up on a -24..+24 dB knob from 0 dB: position 0.7 -> +9.6 dB.
  const pos = dragPosition(valueToPosition(0, -24, 24, 1), -40, false);
  assert.is(quantize(positionToValue(pos, -24, 24, 1), -24, 24, 0), 9.6);
});

test('key steps: default step, fine step, discrete floor, page steps', () => {
  assert.is(defaultKeyStep(-24, 24, 0), 0.48);
  assert.is(defaultKeyStep(1, 16, 1), 1);
  assert.is(effectiveKeyStep(undefined, -24, 24, 0), 0.48);
  assert.is(effectiveKeyStep(0, -24, 24, 0), 0.48);
  assert.is(effectiveKeyStep(0.5, -24, 24, 0), 0.5);
  assert.is(stepIncrement(0.5, 0, false), 0.5);
  assert.is(stepIncrement(0.5, 0, true), 0.05);
  assert.is(stepIncrement(1, 1, true), 1, 'fine never goes below one grid step');
  assert.is(stepIncrement(4, 1, true), 1);
  // -3.5 dB + one 0.1 step is -3.4, not -3.4000000000000004.
  assert.is(stepValue(-3.5, 1, 0.1, -24, 24, 0), -3.4);
  assert.is(stepValue(0.2, 1, 0.1, 0, 1, 0), 0.3);
  assert.is(stepValue(-3.5, -10, 0.5, -24, 24, 0), -8.5);
  assert.is(stepValue(23.9, 1, 0.5, -24, 24, 0), 24);
  assert.is(stepValue(16, 1, 1, 1, 16, 1), 16);
  assert.is(stepValue(NaN, 1, 1, 1, 16, 1), 2, 'NaN counts as min');
});

test('slider keys', () => {
  assert.equal(sliderKeyAction('ArrowUp'), { kind: 'step', steps: 1 });
  assert.equal(sliderKeyAction('ArrowRight'), { kind: 'step', steps: 1 });
  assert.equal(sliderKeyAction('ArrowDown'), { kind: 'step', steps: -1 });
  assert.equal(sliderKeyAction('ArrowLeft'), { kind: 'step', steps: -1 });
  assert.equal(sliderKeyAction('PageUp'), { kind: 'step', steps: 10 });
  assert.equal(sliderKeyAction('PageDown'), { kind: 'step', steps: -10 });
  assert.equal(sliderKeyAction('Home'), { kind: 'min' });
  assert.equal(sliderKeyAction('End'), { kind: 'max' });
  assert.equal(sliderKeyAction('Enter'), { kind: 'edit' });
  assert.equal(sliderKeyAction('Delete'), { kind: 'reset' });
  assert.equal(sliderKeyAction('Backspace'), { kind: 'reset' });
  assert.is(sliderKeyAction('a'), null);
  assert.is(sliderKeyAction('Tab'), null);
});

test('wheel: away from the user raises; Shift uses the horizontal delta', () => {
  assert.is(wheelDirection(0, -100, false), 1);
  assert.is(wheelDirection(0, 3, false), -1);
  assert.is(wheelDirection(-100, 0, true), 1);
  assert.is(wheelDirection(-100, 0, false), 0, 'horizontal scroll without Shift is not ours');
  assert.is(wheelDirection(0, 0, true), 0);
});

test('dial geometry: angles, points and arcs', () => {
  assert.is(dialAngle(0), -135);
  assert.is(dialAngle(0.5), 0);
  assert.is(dialAngle(1), 135);
  assert.is(dialAngle(2), 135);
  assert.equal(polarPoint(22, 22, 10, 0), [22, 12]);
  assert.equal(polarPoint(22, 22, 10, 90), [32, 22]);
  assert.equal(polarPoint(22, 22, 10, 180), [22, 32]);
  // -135°: sin = -0.70711, cos = -0.70711 -> (22 - 7.071, 22 + 7.071).
  assert.equal(polarPoint(22, 22, 10, -135), [14.929, 29.071]);
  // The full 270° track: large arc, clockwise, from lower left to lower right.
  assert.is(arcPath(22, 22, 10, -135, 135), 'M 14.929 29.071 A 10 10 0 1 1 29.071 29.071');
  // A bipolar value arc from 12 o'clock back to 9 o'clock: drawn clockwise from -90 to 0, small arc.
  assert.is(arcPath(22, 22, 10, 0, -90), 'M 12 22 A 10 10 0 0 1 22 12');
  assert.is(arcPath(22, 22, 10, 30, 30), '');
  assert.is(arcOrigin(-24, 24, 1), 0.5);
  assert.is(arcOrigin(-36, 12, 1), 0.75);
  assert.is(arcOrigin(0.1, 30, 2), 0);
  assert.is(arcOrigin(-70, -10, 1), 0, 'all-negative ranges grow from min');
});

test('roving focus: wrapping arrows, Home and End', () => {
  assert.is(roveIndex('ArrowRight', 0, 3), 1);
  assert.is(roveIndex('ArrowDown', 2, 3), 0);
  assert.is(roveIndex('ArrowLeft', 0, 3), 2);
  assert.is(roveIndex('ArrowUp', 2, 3), 1);
  assert.is(roveIndex('Home', 2, 3), 0);
  assert.is(roveIndex('End', 0, 3), 2);
  assert.is(roveIndex('ArrowRight', -1, 3), 0, 'nothing selected: next is the first');
  assert.is(roveIndex('ArrowLeft', 7, 3), 2);
  assert.is(roveIndex('Enter', 0, 3), null);
  assert.is(roveIndex('ArrowRight', 0, 0), null);
});

test('spoken value: ASCII minus and units', () => {
  assert.is(spokenValue('\u22123.5', 'dB'), '-3.5 dB');
  assert.is(spokenValue('12', ''), '12');
});

test.run();
