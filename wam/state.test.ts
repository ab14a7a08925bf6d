import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PARAMETERS, PARAMETER_IDS } from './parameters.ts';
import { runInNewContext } from 'node:vm';
import { defaultState, isPlainObject, makeState, parseState, partialStateMessage, readState, stateValues } from './state.ts';

const full = () => ({
  format: 'levelmatch',
  version: 1,
  parameters: Object.fromEntries(PARAMETERS.map((p) => [p.id, p.defaultValue])),
  gain: -3.25,
  channels: 2,
  referenceTrack: null,
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
    parameters: { response: 1000, gate: -1e9, mode: 2.6, link: 400, bypass: 0.2, latency: 1e300 },
  });
  assert.is(parsed.parameters.response, 30);
  assert.is(parsed.parameters.gate, -90);
  assert.is(parsed.parameters.mode, 3);
  assert.is(parsed.parameters.link, 256);
  assert.is(parsed.parameters.bypass, 0);
  assert.is(parsed.parameters.latency, 1000);
  assert.is(parsed.gain, 40);
  assert.is(parseState({ format: 'levelmatch', version: 1, gain: -1e9 }).gain, -40);
});

test('no state: undefined and {} are the default state', () => {
  assert.equal(parseState(undefined), defaultState());
  assert.equal(parseState({}), defaultState());
  assert.ok(readState({}).empty && readState(undefined).empty);
  // Over another base (setState) they still mean the defaults.
  const base = parseState({ parameters: { mode: 0 }, gain: 5 } as unknown);
  assert.equal(parseState({}, base), defaultState());
  assert.equal(parseState(undefined, base), defaultState());
});

test('the SDK shape { parameterValues: { id: { id, value, normalized } } }: the key is the id', () => {
  const s = parseState({
    parameterValues: {
      mode: { id: 'mode', value: 0, normalized: false },
      offset: { id: '0<|:pdb2:|>offset', value: -3 },
      tolerance: { id: 'tolerance', value: 0.5, normalized: true },
      notOurs: { id: 'notOurs', value: 'x' },
    },
  });
  assert.is(s.parameters.mode, 0);
  assert.is(s.parameters.offset, -3);
  assert.is(s.parameters.tolerance, 1.5, 'normalised 0.5 of 0..3');
  assert.is(s.parameters.link, 1, 'the rest at the defaults');
  assert.is(s.gain, 0);
});

test('partial states apply what they hold over the base: defaults (createInstance) or the current state (setState)', () => {
  const current = parseState({ format: 'levelmatch', version: 1, parameters: { mode: 3, target: -14, link: 5 }, gain: 4 });
  // Hand-written top-level values (a Pedalboard2 preset), no format.
  const a = parseState({ mode: 0 }, current);
  assert.is(a.parameters.mode, 0);
  assert.is(a.parameters.target, -14);
  assert.is(a.parameters.link, 5);
  assert.is(a.gain, 4);
  assert.is(parseState({ mode: 0 }).parameters.target, -18, 'over the defaults');
  // Our own format, without version, parameters or gain.
  const b = parseState({ format: 'levelmatch', gain: -2 }, current);
  assert.is(b.gain, -2);
  assert.is(b.parameters.mode, 3);
  assert.equal(parseState({ format: 'levelmatch', version: 1 }, current), current);
  // Unknown keys are ignored: a state of only unknown keys changes nothing.
  assert.equal(parseState({ colour: 'red', version: 99 }, current), current);
  const r = readState({ colour: 'red' });
  assert.not.ok(r.empty);
  assert.equal(r.parameters, {});
  // Precedence: parameters over parameterValues over top-level values.
  const c = parseState({ mode: 0, parameterValues: { mode: { id: 'mode', value: 2 } } });
  assert.is(c.parameters.mode, 2);
  const d = parseState({ format: 'levelmatch', parameterValues: { mode: { id: 'mode', value: 2 } }, parameters: { mode: 3 } });
  assert.is(d.parameters.mode, 3);
  // Top-level ids only count without a format (a field of a future format may be named like a parameter).
  assert.is(parseState({ format: 'levelmatch', mode: 0 }).parameters.mode, 1);
});

test('malformed states are rejected with a message naming the problem', () => {
  throwsExactly(() => parseState(null), 'not a LevelMatch state (expected a plain object, got null)');
  throwsExactly(() => parseState(42), 'not a LevelMatch state (expected a plain object, got 42)');
  throwsExactly(() => parseState('levelmatch'), 'not a LevelMatch state (expected a plain object, got "levelmatch")');
  throwsExactly(() => parseState([]), 'not a LevelMatch state (expected a plain object, got an array)');
  throwsExactly(() => parseState({ format: 'other', version: 1 }), 'not a LevelMatch state (format "other")');
  throwsExactly(() => parseState({ format: 3 }), 'not a LevelMatch state (format 3)');
  throwsExactly(() => parseState({ format: 'levelmatch', version: '1' }), 'state.version must be a number, got "1"');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 7 }), 'unsupported state version 7');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, parameters: [] }), 'state.parameters must be a plain object, got an array');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, parameters: 3 }), 'state.parameters must be a plain object, got 3');
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { response: '2' } }),
    'state.parameters.response must be a finite number, got "2"',
  );
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { response: NaN } }),
    'state.parameters.response must be a finite number, got NaN',
  );
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { latency: Infinity } }),
    'state.parameters.latency must be a finite number, got Infinity',
  );
  throwsExactly(
    () => parseState({ format: 'levelmatch', version: 1, parameters: { mode: null } }),
    'state.parameters.mode must be a finite number, got null',
  );
  throwsExactly(() => parseState({ mode: 'reference' }), 'state.mode must be a finite number, got "reference"');
  throwsExactly(() => parseState({ parameterValues: [] }), 'state.parameterValues must be a plain object, got an array');
  throwsExactly(() => parseState({ parameterValues: { mode: 0 } }), 'state.parameterValues.mode must be a plain object { id, value, normalized }, got 0');
  throwsExactly(() => parseState({ parameterValues: { mode: { id: 'mode', value: '0' } } }), 'state.parameterValues.mode.value must be a finite number, got "0"');
  throwsExactly(
    () => parseState({ parameterValues: { mode: { id: 'mode', value: 0, normalized: 'yes' } } }),
    'state.parameterValues.mode.normalized must be a boolean, got "yes"',
  );
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, gain: NaN }), 'state.gain must be a finite number, got NaN');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, gain: -Infinity }), 'state.gain must be a finite number, got -Infinity');
  throwsExactly(() => parseState({ format: 'levelmatch', version: 1, gain: '0' }), 'state.gain must be a finite number, got "0"');
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
  throwsExactly(() => parseState({ ...base, latencyMs: '10' }), 'state.latencyMs must be a finite number, got "10"');
  throwsExactly(() => parseState({ ...base, latencyMs: NaN }), 'state.latencyMs must be a finite number, got NaN');
  throwsExactly(() => parseState({ ...base, latencyMs: Infinity }), 'state.latencyMs must be a finite number, got Infinity');
  // The partial-state policy: given = carried (clamped), absent = the base's.
  assert.is(readState({ latencyMs: 2000 }).latencyMs, 1000);
  assert.is('latencyMs' in readState({ mode: 1 }), false);
  assert.is(parseState({ mode: 1 }, makeState(PARAMETERS.map((p) => p.defaultValue), 0, 2, 7)).latencyMs, 7);
  assert.is(partialStateMessage(readState({ latencyMs: 3.5 })).latencyMs, 3.5);
  assert.is('latencyMs' in partialStateMessage(readState({ mode: 1 })), false);
  const s = makeState(PARAMETERS.map((p) => p.defaultValue), 0, 2, 12.5);
  assert.is(s.latencyMs, 12.5);
  assert.equal(parseState(JSON.parse(JSON.stringify(s))), s);
  assert.is('latencyMs' in makeState(PARAMETERS.map((p) => p.defaultValue), 0, 2), false);
});

class Settings {
  mode = 0;
}
/** Every container that is not a plain object (issue 11, item 3): as the state, as `parameters`, as a value. */
const CONTAINERS: Array<[string, () => unknown]> = [
  ['a Map', () => new Map([['mode', 0]])],
  ['a Set', () => new Set(['mode'])],
  ['a Date', () => new Date(0)],
  ['a RegExp', () => /mode/],
  ['a Number', () => Object(3)],
  ['a String', () => Object('mode')],
  ['a Boolean', () => Object(true)],
  ['an Error', () => new Error('mode')],
  ['a Promise', () => Promise.resolve({ mode: 0 })],
  ['a WeakMap', () => new WeakMap()],
  ['an instance of a class', () => new Settings()],
  ['a Float32Array', () => new Float32Array(2)],
];

test('non-plain containers are rejected, naming the container, as the state, its parameters and its values', () => {
  for (const [name, make] of CONTAINERS) {
    throwsExactly(() => parseState(make()), `not a LevelMatch state (expected a plain object, got ${name})`);
    throwsExactly(
      () => parseState({ format: 'levelmatch', version: 1, parameters: make() }),
      `state.parameters must be a plain object, got ${name}`,
    );
    throwsExactly(() => parseState({ parameterValues: make() }), `state.parameterValues must be a plain object, got ${name}`);
    throwsExactly(
      () => parseState({ parameterValues: { mode: make() } }),
      `state.parameterValues.mode must be a plain object { id, value, normalized }, got ${name}`,
    );
    throwsExactly(() => parseState({ format: 'levelmatch', gain: make() }), `state.gain must be a finite number, got ${name}`);
  }
  // Plain objects from another realm and without a prototype are plain.
  assert.is(parseState(Object.assign(Object.create(null), { mode: 0 })).parameters.mode, 0);
  assert.is(parseState(runInNewContext('({ parameters: { mode: 0 }, format: "levelmatch" })')).parameters.mode, 0);
  assert.ok(isPlainObject(runInNewContext('({})')));
  assert.not.ok(isPlainObject(runInNewContext('new Map()')));
});

test('each field is read exactly once: a getter cannot pass the checks and then yield NaN', () => {
  const reads: Record<string, number> = {};
  const flaky = (key: string, first: unknown) => {
    reads[key] = 0;
    return {
      enumerable: true,
      get() {
        reads[key]++;
        return reads[key] === 1 ? first : NaN;
      },
    };
  };
  const parameters = Object.defineProperties({}, { mode: flaky('mode', 0), response: flaky('response', 5) });
  const entry = Object.defineProperties({ id: 'offset' }, { value: flaky('value', -2), normalized: flaky('normalized', false) });
  const state = Object.defineProperties({}, {
    format: flaky('format', 'levelmatch'),
    version: flaky('version', 1),
    parameters: flaky('parameters', parameters),
    parameterValues: flaky('parameterValues', { offset: entry }),
    gain: flaky('gain', 6),
    channels: flaky('channels', 1),
    latencyMs: flaky('latencyMs', 12.5),
  });
  const s = parseState(state);
  assert.is(s.latencyMs, 12.5);
  assert.is(s.gain, 6);
  assert.is(s.channels, 1);
  assert.is(s.parameters.mode, 0);
  assert.is(s.parameters.response, 5);
  assert.is(s.parameters.offset, -2);
  for (const [key, n] of Object.entries(reads)) assert.is(n, 1, `${key} read ${n} times`);
  // The same for hand-written top-level values.
  reads.mode = 0;
  const top = Object.defineProperties({}, { mode: flaky('mode', 0) });
  assert.is(parseState(top).parameters.mode, 0);
  assert.is(reads.mode, 1);
});

test('makeState / stateValues', () => {
  const values = PARAMETERS.map((p) => p.defaultValue);
  values[0] = 7; // clamped to 4
  values[4] = NaN; // default
  const s = makeState(values, -2, 1);
  assert.is(s.parameters.mode, 4);
  assert.is(s.parameters.response, 2);
  assert.is(s.gain, -2);
  assert.is(s.channels, 1);
  assert.equal([...stateValues(s)], [4, ...PARAMETERS.slice(1).map((p) => p.defaultValue)]);
  assert.is(makeState(values, NaN, 2).gain, 0);
  assert.equal(parseState(s), s);
});

test.run();
