import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PARAMETERS, PARAMETER_IDS } from './parameters.ts';
import { defaultState, makeState, parseState, stateValues } from './state.ts';

const full = () => ({
  format: 'levelmatch',
  version: 1,
  parameters: Object.fromEntries(PARAMETERS.map((p) => [p.id, p.defaultValue])),
  gain: -3.25,
  channels: 2,
});

const throwsExactly = (fn: () => unknown, message: string) => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, Error);
    assert.is((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected: ${message}`);
};

test('a complete state round-trips', () => {
  const s = full();
  s.parameters.mode = 0;
  s.parameters.link = 7;
  s.parameters.offset = -2.5;
  const parsed = parseState(s);
  assert.equal(parsed, s);
  assert.equal(parseState(JSON.parse(JSON.stringify(parsed))), parsed);
  assert.not.ok(parsed === (s as unknown), 'a new object');
});

test('defaults: missing parameters, gain, channels; unknown parameter keys ignored', () => {
  const parsed = parseState({ format: 'levelmatch', version: 1, parameters: { response: 5, bogus: 'x' } });
  assert.is(parsed.parameters.response, 5);
  assert.is(parsed.parameters.mode, 1);
  assert.is(parsed.parameters.ceilingOn, 1);
  assert.is(parsed.gain, 0);
  assert.is(parsed.channels, 2);
  assert.equal(Object.keys(parsed.parameters), [...PARAMETER_IDS]);
  assert.equal(parseState({ format: 'levelmatch', version: 1 }), defaultState());
  assert.equal(parseState({ format: 'levelmatch', version: 1, channels: 6 }).channels, 6);
});

test('out-of-range values are clamped and discrete ones rounded, like automation', () => {
  const parsed = parseState({
    format: 'levelmatch', version: 1, gain: 99,
    parameters: { response: 1000, gate: -1e9, mode: 2.6, link: 40, bypass: 0.2, latency: Infinity },
  });
  assert.is(parsed.parameters.response, 30);
  assert.is(parsed.parameters.gate, -90);
  assert.is(parsed.parameters.mode, 3);
  assert.is(parsed.parameters.link, 16);
  assert.is(parsed.parameters.bypass, 0);
  assert.is(parsed.parameters.latency, 1000);
  assert.is(parsed.gain, 40);
  assert.is(parseState({ format: 'levelmatch', version: 1, gain: -Infinity }).gain, -40);
});

test('malformed states are rejected with a message naming the problem', () => {
  throwsExactly(() => parseState(undefined), 'not a LevelMatch state (expected an object, got undefined)');
  throwsExactly(() => parseState(null), 'not a LevelMatch state (expected an object, got null)');
  throwsExactly(() => parseState(42), 'not a LevelMatch state (expected an object, got 42)');
  throwsExactly(() => parseState('levelmatch'), 'not a LevelMatch state (expected an object, got "levelmatch")');
  throwsExactly(() => parseState([]), 'not a LevelMatch state (expected an object, got an array)');
  throwsExactly(() => parseState({ parameterValues: {} }), 'not a LevelMatch state (format missing)');
  throwsExactly(() => parseState({ format: 'other', version: 1 }), 'not a LevelMatch state (format "other")');
  throwsExactly(() => parseState({ format: 'levelmatch' }), 'state.version must be a number, got undefined');
  throwsExactly(() => parseState({ format: 'levelmatch', version: '1' }), 'state.version must be a number, got "1"');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 7 }), 'unsupported state version 7');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, parameters: [] }), 'state.parameters must be an object, got an array');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, parameters: 3 }), 'state.parameters must be an object, got 3');
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { response: '2' } }),
    'state.parameters.response must be a number, got "2"',
  );
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { response: NaN } }),
    'state.parameters.response must be a number, got NaN',
  );
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { mode: null } }),
    'state.parameters.mode must be a number, got null',
  );
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, gain: NaN }), 'state.gain must be a number, got NaN');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, gain: '0' }), 'state.gain must be a number, got "0"');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, channels: 0 }), 'state.channels must be an integer from 1 to 8, got 0');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, channels: 2.5 }), 'state.channels must be an integer from 1 to 8, got 2.5');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, channels: 9 }), 'state.channels must be an integer from 1 to 8, got 9');
});

test('latencyMs: the applied automatic latency, optional (older states have none), clamped, a number or an error', () => {
  const base = { format: 'levelmatch', version: 1 };
  assert.is('latencyMs' in parseState(base), false);
  assert.is(parseState({ ...base, latencyMs: 37.3125 }).latencyMs, 37.3125);
  assert.is(parseState({ ...base, latencyMs: 5000 }).latencyMs, 1000);
  assert.is(parseState({ ...base, latencyMs: -1 }).latencyMs, 0);
  throwsExactly(() => parseState({ ...base, latencyMs: '10' }), 'state.latencyMs must be a number, got "10"');
  throwsExactly(() => parseState({ ...base, latencyMs: NaN }), 'state.latencyMs must be a number, got NaN');
  const s = makeState(PARAMETERS.map((p) => p.defaultValue), 0, 2, 12.5);
  assert.is(s.latencyMs, 12.5);
  assert.equal(parseState(JSON.parse(JSON.stringify(s))), s);
  assert.is('latencyMs' in makeState(PARAMETERS.map((p) => p.defaultValue), 0, 2), false);
});

test('makeState / stateValues', () => {
  const values = PARAMETERS.map((p) => p.defaultValue);
  values[0] = 7; // clamped to 3
  values[4] = NaN; // default
  const s = makeState(values, -2, 1);
  assert.is(s.parameters.mode, 3);
  assert.is(s.parameters.response, 2);
  assert.is(s.gain, -2);
  assert.is(s.channels, 1);
  assert.equal([...stateValues(s)], [3, ...PARAMETERS.slice(1).map((p) => p.defaultValue)]);
  assert.is(makeState(values, NaN, 2).gain, 0);
  assert.equal(parseState(s), s);
});

test.run();
