/**
 * The state policy as hosts meet it (README "State"), through the real WAM API of the BUILT plugin in the
 * headless host: no state and `{}` are the defaults, the SDK's `{ parameterValues }` shape and partial states apply
 * what they hold (createInstance: the rest at the defaults; setState: the rest as it is), bad states reject and
 * change nothing; parameter maps are keyed by the parameter id (Pedalboard2 prefixes the entry's id).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, type Rig } from './rig.ts';
import { defaultState } from '../../wam/state.ts';

let rig: Rig;
test.before(async () => {
  rig = await makeRig();
});
test.after(() => rig.host.close());

const rejection = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    assert.instance(e, Error);
    return (e as Error).message;
  }
  return '(resolved)';
};

test('createInstance with no state, undefined, null or {}: the default state', async () => {
  for (const initial of [undefined, null, {}]) {
    const p = await rig.add({}, initial);
    assert.equal(await p.node.getState(), defaultState(), `initial state ${JSON.stringify(initial)}`);
  }
  rig.assertClean();
});

test('createInstance with the SDK shape or a partial state: what it holds, the rest at the defaults', async () => {
  const sdk = await rig.add({}, { parameterValues: { mode: { id: 'mode', value: 0, normalized: false }, link: { id: 'link', value: 4 } } });
  const s = await sdk.node.getState();
  assert.is(s.parameters.mode, 0);
  assert.is(s.parameters.link, 4);
  assert.equal({ ...s.parameters, mode: 1, link: 1 }, defaultState().parameters);
  const hand = await rig.add({}, { mode: 3, target: -14 });
  const h = await hand.node.getState();
  assert.is(h.parameters.mode, 3);
  assert.is(h.parameters.target, -14);
  assert.is(h.parameters.follow, 0);
  const ours = await rig.add({}, { format: 'levelmatch', gain: 5, parameters: { follow: 2 } });
  const o = await ours.node.getState();
  assert.is(o.gain, 5);
  assert.is(o.parameters.follow, 2);
  rig.assertClean();
});

test('setState with a partial state or the SDK shape: what it holds; the rest, the gain included, as it is', async () => {
  const p = await rig.add({}, { format: 'levelmatch', version: 1, parameters: { mode: 3, target: -14, follow: 2, link: 6 }, gain: 3.5 });
  await p.node.setState({ target: -20 });
  let s = await p.node.getState();
  assert.equal([s.parameters.mode, s.parameters.target, s.parameters.follow, s.parameters.link, s.gain], [3, -20, 2, 6, 3.5]);
  await p.node.setState({ parameterValues: { offset: { id: '2<|:pdb2:|>offset', value: -2, normalized: false } } });
  s = await p.node.getState();
  assert.equal([s.parameters.offset, s.parameters.target, s.gain], [-2, -20, 3.5]);
  await p.node.setState({ format: 'levelmatch', gain: -1 });
  s = await p.node.getState();
  assert.equal([s.gain, s.parameters.mode, s.parameters.offset], [-1, 3, -2]);
  await p.node.setState({ somethingElse: true });
  assert.equal(await p.node.getState(), s, 'unknown keys only: nothing changes');
  rig.assertClean();
});

test('setState(undefined) and setState({}) restore the defaults', async () => {
  for (const empty of [undefined, {}]) {
    const p = await rig.add({}, { mode: 0, link: 9, gain: 4 });
    await p.node.setState(empty);
    assert.equal(await p.node.getState(), defaultState());
  }
  rig.assertClean();
});

test('wrong types, non-finite numbers, non-plain containers and foreign formats reject and change nothing', async () => {
  const p = await rig.add({}, { mode: 3, target: -14, gain: 2 });
  const before = await p.node.getState();
  const cases: Array<[unknown, string]> = [
    [new Map([['mode', 0]]), 'not a LevelMatch state (expected a plain object, got a Map)'],
    [{ format: 'levelmatch', version: 1, parameters: new Map([['mode', 0]]) }, 'state.parameters must be a plain object, got a Map'],
    [{ format: 'levelmatch', version: 1, parameters: new Set() }, 'state.parameters must be a plain object, got a Set'],
    [{ format: 'levelmatch', version: 1, parameters: new Date(0) }, 'state.parameters must be a plain object, got a Date'],
    [{ format: 'levelmatch', version: 1, parameters: { mode: 0, target: Infinity } }, 'state.parameters.target must be a finite number, got Infinity'],
    [{ mode: 0, target: '-10' }, 'state.target must be a finite number, got "-10"'],
    [{ format: 'some-other-plugin', parameters: { mode: 0 } }, 'not a LevelMatch state (format "some-other-plugin")'],
    [{ parameterValues: { mode: { id: 'mode', value: NaN } } }, 'state.parameterValues.mode.value must be a finite number, got NaN'],
    [null, 'not a LevelMatch state (expected a plain object, got null)'],
  ];
  for (const [bad, message] of cases) assert.is(await rejection(p.node.setState(bad)), message);
  await rig.host.flush();
  assert.equal(await p.node.getState(), before, 'nothing changed');
  assert.is(
    await rejection(rig.LevelMatch.createInstance(rig.groupId, rig.host.context, { parameters: new Set(), format: 'levelmatch' })),
    'state.parameters must be a plain object, got a Set',
  );
  rig.assertClean();
});

test('a state whose getters change their answer is read once: applied as first read, not NaN, not ignored', async () => {
  const p = await rig.add();
  let reads = 0;
  const flaky = (first: unknown) => ({ enumerable: true, get: () => (reads++, reads > 3 ? NaN : first) });
  const parameters = Object.defineProperties({}, { mode: flaky(3), target: flaky(-12) });
  const state = Object.defineProperties({}, { format: { value: 'levelmatch', enumerable: true }, parameters: { value: parameters, enumerable: true }, gain: flaky(2.5) });
  await p.node.setState(state);
  const s = await p.node.getState();
  assert.equal([s.parameters.mode, s.parameters.target, s.gain], [3, -12, 2.5]);
  assert.is(reads, 3, 'each getter read once');
  rig.assertClean();
});

test('setParameterValues: the map key is the parameter id (Pedalboard2 sends prefixed ids in the entries)', async () => {
  const p = await rig.add();
  await p.node.setParameterValues({
    offset: { id: '0<|:pdb2:|>offset', value: -3, normalized: false },
    tolerance: { id: '0<|:pdb2:|>tolerance', value: 0.5, normalized: true },
  });
  await rig.host.flush();
  const v = await p.node.getParameterValues(false);
  assert.is(v.offset.value, -3);
  assert.is(v.tolerance.value, 1.5);
  assert.is((await p.node.getState()).parameters.offset, -3);
  rig.assertClean();
});

test('destroyGui() without an element is a no-op, as the SDK default', async () => {
  const p = await rig.add();
  p.wam.destroyGui();
  p.wam.destroyGui(null);
  rig.assertClean();
});

test.run();
