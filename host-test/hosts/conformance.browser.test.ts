// The descriptor and lifecycle checks of two public WAM conformance suites, boourns/wamtest and
// Sylcantor/wam-web-components `wamHostTest`, reproduced (not copied) in host-test/hosts/pages/conformance.js
// and run on the built plugin in headless Chromium.
import * as assert from 'uvu/assert';
import { hostSession } from './session.ts';

const { t, session, scenario } = hostSession();
// One run on a fresh page: the leak check must see the plugin's modules load for the first time.
let wamtestRun: Promise<Wamtest> | undefined;
const wamtest = () => (wamtestRun ??= scenario<Wamtest>('conformance', 'wamtest'));

interface Wamtest {
  isWebAudioModuleConstructor: boolean;
  isWebAudioModule: boolean;
  descriptorProblems: string[];
  apiVersion: string;
  thumbnailUrl: string;
  thumbnail: { loaded: boolean; width: number; height: number };
  websiteUrl: string;
  websiteStatus: number;
  guiIsElement: boolean;
  added: Record<string, string[]>;
  addedAudio: Record<string, string[]>;
}

t('wamtest: module and instance flags, descriptor schema, the thumbnail loads, the GUI loads', async () => {
  const r = await wamtest();
  assert.ok(r.isWebAudioModuleConstructor && r.isWebAudioModule);
  assert.equal(r.descriptorProblems, []);
  assert.is(r.apiVersion, '2.0.0');
  assert.match(r.thumbnailUrl, /\/dist\/plugin\/thumbnail\.svg$/, 'beside the descriptor, relative to the module');
  assert.ok(r.thumbnail.loaded && r.thumbnail.width >= 200 && r.thumbnail.height >= 100, JSON.stringify(r.thumbnail));
  assert.match(r.websiteUrl, /\/README\.md$/);
  assert.is(r.websiteStatus, 200, 'the website (the README shipped in the package) resolves');
  assert.ok(r.guiIsElement);
  assert.equal(session.problems, []);
});

t('wamtest leak check: loading, creating an instance and a GUI add nothing to the page or the audio thread', async () => {
  const r = await wamtest();
  assert.equal(r.added, { loading: [], creating: [], gui: [] }, 'window globals');
  assert.equal(r.addedAudio, { loading: [], creating: [], gui: [] }, 'AudioWorkletGlobalScope globals');
  assert.equal(session.problems, []);
});

interface Call {
  exists?: boolean;
  isPromise?: boolean;
  type?: string;
  value?: unknown;
  error?: string;
}
interface HostTest {
  calls: Record<string, Call>;
  infoCount: number;
  valueCount: number;
  valuesUnchanged: boolean;
  audioNodeIsAudioNode: boolean;
  extraNodesAreAudioNodes: boolean;
  guisAreElements: boolean;
}

t('wamHostTest: every call of the suite, including those without arguments, answers as the API says', async () => {
  const r = await scenario<HostTest>('conformance', 'wamHostTest');
  const errors = Object.entries(r.calls).filter(([, c]) => c.error !== undefined).map(([k, c]) => `${k}: ${c.error}`);
  assert.equal(errors, [], 'no call throws');
  assert.is(r.infoCount, 16);
  assert.is(r.valueCount, 16);
  assert.ok(r.calls.setParameterValues.isPromise, 'setParameterValues() returns a Promise');
  assert.ok(r.valuesUnchanged, 'setParameterValues() without values changes nothing');
  assert.is(r.calls.isWebAudioModule.type, 'Boolean');
  assert.is(r.calls.audioContext.type, 'AudioContext');
  assert.ok(r.audioNodeIsAudioNode);
  assert.is(r.calls.initialized.value, true);
  for (const k of ['groupId', 'moduleId', 'instanceId', 'name', 'vendor']) assert.is(r.calls[k].type, 'String', k);
  assert.is(r.calls.name.value, 'LevelMatch');
  assert.is(r.calls.descriptor.type, 'Object');
  for (const k of ['createAudioNode', 'createAudioNode2', 'initialize', 'initialize2', 'createGui', 'createGui2']) assert.ok(r.calls[k].isPromise, `${k}() returns a Promise`);
  assert.ok(r.extraNodesAreAudioNodes && r.guisAreElements);
  // destroyGui() with no element: a no-op, and (the suite checks both) it returns something, a Promise.
  assert.ok(r.calls.destroyGui.exists && r.calls.destroyGui.isPromise, JSON.stringify(r.calls.destroyGui));
  assert.ok(r.calls.destroyGui2.exists && r.calls.destroyGui2.isPromise);
  assert.equal(session.problems, []);
});

t.run();
