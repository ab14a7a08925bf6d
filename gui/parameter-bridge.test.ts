import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WamParameterDataMap } from '@webaudiomodules/api';
import { ParameterBridge, SETTLE_MS, type ParameterNode } from './parameter-bridge.ts';
import { PARAMETER_IDS, defaultParameterValues } from '../wam/parameters.ts';

/** A stand-in node: records what is sent, answers getParameterValues from `values`. */
class FakeNode extends EventTarget implements ParameterNode {
  sent: WamParameterDataMap[] = [];
  values: Record<string, number> = Object.fromEntries(PARAMETER_IDS.map((id, i) => [id, defaultParameterValues()[i]]));
  async getParameterValues(): Promise<WamParameterDataMap> {
    return Object.fromEntries(Object.entries(this.values).map(([id, value]) => [id, { id, value, normalized: false }]));
  }
  async setParameterValues(v: WamParameterDataMap): Promise<void> {
    this.sent.push(v);
    for (const [id, d] of Object.entries(v)) this.values[id] = d.value;
  }
  readout(parameters: Record<string, number>): void {
    this.dispatchEvent(new CustomEvent('readout', { detail: { parameters } }));
  }
}
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const node = new FakeNode();
  let clock = 1000;
  const changes: string[][] = [];
  const bridge = new ParameterBridge(node, (c) => changes.push([...c]), () => clock);
  return { node, bridge, changes, advance: (ms: number) => (clock += ms) };
}

test('set() clamps like the processor, applies locally at once and sends plain values', () => {
  const { node, bridge, changes } = setup();
  bridge.connect();
  assert.is(bridge.set('tolerance', 7), 3, 'clamped to the 0..3 dB range');
  assert.is(bridge.get('tolerance'), 3);
  assert.is(bridge.set('link', 2.6), 3, 'integers round');
  assert.equal(node.sent, [{ tolerance: { id: 'tolerance', value: 3, normalized: false } }, { link: { id: 'link', value: 3, normalized: false } }]);
  assert.equal(changes, [['tolerance'], ['link']]);
  assert.is(bridge.set('gate', NaN), -50, 'NaN changes nothing');
  assert.is(node.sent.length, 2);
});

test('readouts carry automation into the GUI', () => {
  const { node, bridge, changes } = setup();
  bridge.connect();
  node.readout({ ...node.values, response: 5, mode: 3 });
  assert.is(bridge.get('response'), 5);
  assert.is(bridge.get('mode'), 3);
  assert.equal(changes.at(-1), ['mode', 'response']);
  node.readout({ ...node.values, response: 5, mode: 3 });
  assert.is(changes.length, 1, 'unchanged values notify nobody');
});

test('a held or just-set parameter ignores stale incoming values until the gesture settles', () => {
  const { node, bridge, advance } = setup();
  bridge.connect();
  bridge.gesture('offset', true);
  bridge.set('offset', 6);
  node.readout({ offset: 0 }); // a readout taken before our value arrived
  assert.is(bridge.get('offset'), 6);
  advance(SETTLE_MS * 3);
  node.readout({ offset: 0 });
  assert.is(bridge.get('offset'), 6, 'still held');
  bridge.gesture('offset', false);
  advance(SETTLE_MS - 1);
  node.readout({ offset: 0 });
  assert.is(bridge.get('offset'), 6, 'settling');
  advance(2);
  node.readout({ offset: -3 });
  assert.is(bridge.get('offset'), -3, 'the host wins again once settled');
});

test('parameterchange (a host setState or setParameterValues) re-reads every value; disconnect stops listening', async () => {
  const { node, bridge } = setup();
  bridge.connect();
  await flush();
  node.values.target = -23;
  node.values.follow = 2;
  node.dispatchEvent(new Event('parameterchange'));
  await flush();
  assert.is(bridge.get('target'), -23);
  assert.is(bridge.get('follow'), 2);
  bridge.disconnect();
  node.readout({ target: -10 });
  node.values.target = -12;
  node.dispatchEvent(new Event('parameterchange'));
  await flush();
  assert.is(bridge.get('target'), -23);
});

test('connect() reads the current values once', async () => {
  const { node, bridge, changes } = setup();
  node.values.maxBoost = 20;
  bridge.connect();
  await flush();
  assert.is(bridge.get('maxBoost'), 20);
  assert.equal(changes, [['maxBoost']]);
});

test.run();
