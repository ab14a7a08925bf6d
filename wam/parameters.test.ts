import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { P, PARAM_COUNT } from './engine-abi.ts';
import {
  PARAMETERS, PARAMETER_IDS, clampParameter, clampSlot, defaultParameterValues, denormalizeParameter, formatParameter,
  normalizeParameter, parameterConfigs, parameterIndex, validateParameterValue,
} from './parameters.ts';
import { IDENTIFIER } from './identifier.ts';
import { DESCRIPTOR } from './descriptor.ts';

test('the table is the public contract: ids, order, types, ranges, defaults, choices', () => {
  const rows = PARAMETERS.map((p) => [p.id, p.type, p.minValue, p.maxValue, p.defaultValue, p.discreteStep, p.choices.join('|'), p.units]);
  assert.equal(rows, [
    ['mode', 'choice', 0, 4, 1, 1, 'reference|match|sidechain|target|track', ''],
    ['link', 'int', 1, 256, 1, 1, '', ''],
    ['detector', 'choice', 0, 3, 1, 1, 'momentary|short-term|integrated|rms', ''],
    ['follow', 'choice', 0, 2, 0, 1, 'continuous|learn|hold', ''],
    ['response', 'float', 0.1, 30, 2, 0, '', 's'],
    ['tolerance', 'float', 0, 3, 0.5, 0, '', 'dB'],
    ['maxBoost', 'float', 0, 40, 12, 0, '', 'dB'],
    ['maxCut', 'float', 0, 40, 24, 0, '', 'dB'],
    ['gate', 'float', -90, -20, -50, 0, '', 'LUFS'],
    ['target', 'float', -60, 0, -18, 0, '', 'LUFS'],
    ['offset', 'float', -24, 24, 0, 0, '', 'dB'],
    ['latency', 'float', 0, 1000, 0, 0, '', 'ms'],
    ['ceiling', 'float', -20, 0, 0, 0, '', 'dBTP'],
    ['ceilingOn', 'boolean', 0, 1, 1, 1, '', ''],
    ['listen', 'choice', 0, 2, 0, 1, 'output|reference|delta', ''],
    ['bypass', 'boolean', 0, 1, 0, 1, '', ''],
    ['ceilingInMatch', 'boolean', 0, 1, 0, 1, '', ''],
    ['autoLock', 'boolean', 0, 1, 0, 1, '', ''],
    ['autoLatency', 'boolean', 0, 1, 1, 1, '', ''],
  ]);
});

test('order equals the engine slots', () => {
  assert.is(PARAMETERS.length, PARAM_COUNT);
  const slots: Record<string, number> = {
    mode: P.mode, link: P.link, detector: P.detector, follow: P.follow, response: P.response, tolerance: P.tolerance,
    maxBoost: P.maxBoost, maxCut: P.maxCut, gate: P.gate, target: P.target, offset: P.offset, latency: P.latency,
    ceiling: P.ceiling, ceilingOn: P.ceilingOn, listen: P.listen, bypass: P.bypass,
    ceilingInMatch: P.ceilingInMatch, autoLock: P.autoLock, autoLatency: P.autoLatency,
  };
  PARAMETER_IDS.forEach((id, i) => {
    assert.is(parameterIndex(id), i, id);
    assert.is(slots[id], i, id);
  });
  assert.is(parameterIndex('nope'), -1);
  assert.is(parameterIndex('toString'), -1);
  assert.equal([...defaultParameterValues()], PARAMETERS.map((p) => p.defaultValue));
});

test('configs satisfy the SDK WamParameterInfo constructor rules', () => {
  const configs = parameterConfigs();
  for (const id of PARAMETER_IDS) {
    const c = configs[id];
    assert.ok(c.minValue! < c.maxValue!, id);
    assert.ok(c.defaultValue! >= c.minValue! && c.defaultValue! <= c.maxValue!, id);
    if (c.discreteStep) assert.ok(Number.isInteger(c.minValue) && Number.isInteger(c.maxValue) && Number.isInteger(c.defaultValue), id);
    if (c.type === 'choice') assert.is(c.maxValue, c.choices!.length - 1, id);
    if (c.type === 'boolean') assert.equal([c.minValue, c.maxValue], [0, 1], id);
  }
  configs.mode.choices!.push('x');
  assert.is(parameterConfigs().mode.choices!.length, 5, 'fresh copies');
});

test('clamping and rounding', () => {
  assert.is(clampParameter('response', 100), 30);
  assert.is(clampParameter('response', -1), 0.1);
  assert.is(clampParameter('response', 2.345), 2.345);
  assert.is(clampParameter('gate', -Infinity), -90);
  assert.is(clampParameter('gate', Infinity), -20);
  assert.is(clampParameter('mode', 2.4), 2);
  assert.is(clampParameter('mode', 2.6), 3);
  assert.is(clampParameter('mode', 9), 4);
  assert.is(clampParameter('link', 0), 1);
  assert.is(clampParameter('link', 16.4), 16);
  assert.is(clampParameter('link', 17), 17, 'more than the 16 channels of earlier versions');
  assert.is(clampParameter('link', 999), 256);
  assert.is(clampParameter('bypass', 0.7), 1);
  assert.ok(Number.isNaN(clampParameter('offset', NaN)));
  assert.ok(Number.isNaN(clampSlot(P.offset, NaN)));
  assert.throws(() => clampParameter('nope', 1), /unknown parameter "nope"/);
});

test('normalisation follows WamParameterInfo (linear, exponent 0)', () => {
  assert.is(normalizeParameter('gate', -90), 0);
  assert.is(normalizeParameter('gate', -20), 1);
  assert.is(normalizeParameter('gate', -55), 0.5);
  assert.is(normalizeParameter('mode', 4), 1);
  assert.is(normalizeParameter('link', 1), 0);
  assert.is(denormalizeParameter('offset', 0.5), 0);
  assert.is(denormalizeParameter('offset', 1), 24);
  assert.is(denormalizeParameter('offset', 2), 24, 'clamped');
  assert.is(denormalizeParameter('offset', -1), -24, 'clamped');
  assert.is(denormalizeParameter('mode', 0.5), 2);
  assert.is(denormalizeParameter('mode', 0.375), 2, 'rounded: 1.5 -> 2');
  assert.is(denormalizeParameter('listen', 0.2), 0);
  assert.is(denormalizeParameter('listen', 0.4), 1, 'three choices: 0.8 -> 1');
  assert.is(denormalizeParameter('listen', 1), 2);
  assert.is(denormalizeParameter('link', 1), 256);
  for (const p of PARAMETERS) {
    for (const v of [p.minValue, p.defaultValue, p.maxValue]) {
      assert.ok(Math.abs(denormalizeParameter(p.id, normalizeParameter(p.id, v)) - v) < 1e-12, `${p.id} ${v}`);
    }
  }
});

test('validation of state values', () => {
  assert.is(validateParameterValue('offset', 30), 24);
  assert.is(validateParameterValue('offset', '3'), 'parameter offset must be a number');
  assert.is(validateParameterValue('offset', NaN, 'x.offset'), 'x.offset must be a number');
});

test('formatting', () => {
  assert.is(formatParameter('mode', 1), 'match');
  assert.is(formatParameter('detector', 1), 'short-term');
  assert.is(formatParameter('bypass', 1), 'on');
  assert.is(formatParameter('link', 3), '3');
  assert.is(formatParameter('target', -18), '-18.0 LUFS');
  assert.is(formatParameter('latency', 12.4), '12 ms');
});

test('descriptor: identifier, version, flags', () => {
  const json = JSON.parse(readFileSync(new URL('./descriptor.json', import.meta.url), 'utf8'));
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.is(json.identifier, IDENTIFIER);
  assert.is(IDENTIFIER, 'org.levelmatch.LevelMatch');
  assert.is(json.version, pkg.version, 'wam/descriptor.json version = package.json version');
  assert.is(json.apiVersion, '2.0.0');
  assert.is(json.name, 'LevelMatch');
  assert.is(json.vendor, 'LevelMatch');
  assert.is(json.isInstrument, false);
  for (const io of ['Audio', 'Midi', 'Sysex', 'Osc', 'Mpe', 'Automation']) {
    for (const dir of ['Input', 'Output']) {
      const key = `has${io}${dir}`;
      const want = io === 'Audio' || (io === 'Automation' && dir === 'Input');
      assert.is(json[key], want, key);
    }
  }
  assert.equal(DESCRIPTOR, json);
});

test.run();
