/**
 * The plugin's life in a host: descriptor, state round trip (exact sound), bad states, NaN input, a partner
 * that disappears or stops, duplicate references, channel counts, sample rates, many instances and separate
 * AudioContexts (an OfflineAudioContext bounce among them). Built dist/plugin in the headless host.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gainEffect } from '../effects.ts';
import { LoudnessMeter } from '../../lib/index.ts';
import { makeRig, runChain, sine, steadyProgramme, slice, type Planar } from './rig.ts';

const FS = 48000;
const table: string[] = [];
const note = (s: string): void => void table.push(s);
let prog: Planar;
const programme = (): Planar => (prog ??= steadyProgramme(FS, 12, 0.5));

// ---------------------------------------------------------------------------------------------------------------
const id = suite('identity and state');

id('descriptor: unique identifier, apiVersion 2.0.0, every has* flag stated', async () => {
  const rig = await makeRig();
  const p = await rig.add();
  const d = p.wam.descriptor;
  assert.is(d.identifier, 'org.levelmatch.LevelMatch');
  assert.is(d.apiVersion, '2.0.0');
  assert.is(d.name, 'LevelMatch');
  for (const k of ['hasAudioInput', 'hasAudioOutput', 'hasAutomationInput']) assert.is(d[k], true, k);
  for (const k of ['hasAutomationOutput', 'hasMidiInput', 'hasMidiOutput', 'hasMpeInput', 'hasMpeOutput', 'hasOscInput', 'hasOscOutput', 'hasSysexInput', 'hasSysexOutput']) assert.is(d[k], false, k);
  assert.is(d.isInstrument, false);
  rig.host.close();
});

id('state round trip: a learned-then-held gain in a new instance (a bounce in an OfflineAudioContext) gives the same samples', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 1 });
  const match = await rig.add({ mode: 1, link: 1, follow: 1, detector: 2, offset: 0.5 });
  await runChain(rig, programme(), ref, gainEffect(-7.3), match, 8);
  await rig.set(match, { follow: 2 }); // hold what was learned
  const state = JSON.parse(JSON.stringify(await match.node.getState()));
  assert.is(state.format, 'levelmatch');
  assert.is(state.version, 1);
  assert.is(state.parameters.follow, 2);
  assert.is(state.parameters.offset, 0.5);
  assert.ok(Math.abs(state.gain - 7.8) < 0.05, `learned ${state.gain}`);
  // Live instance vs a fresh one in another (offline) context created with that state: same input, same output.
  const bounce = await makeRig({ sampleRate: FS, offline: true });
  const copy = await bounce.add({}, state);
  const input = programme().map((x) => x.map((v) => v * 10 ** (-7.3 / 20)));
  let worst = 0;
  for (let i = 0; i < 200; i++) {
    const block = slice(input, i * 128, 128);
    const a = Array.from(match.inst.process([block]), (x) => Float32Array.from(x));
    const b = copy.inst.process([block]);
    for (let c = 0; c < 2; c++) for (let k = 0; k < 128; k++) worst = Math.max(worst, Math.abs(a[c][k] - b[c][k]));
    rig.host.advance();
    bounce.host.advance();
  }
  note(`state round trip: held gain ${state.gain.toFixed(4)} dB, max |live - restored| ${worst}`);
  assert.is(worst, 0, 'bit-identical output from the first sample');
  assert.equal(await copy.node.getState(), state);
  rig.assertClean();
  bounce.assertClean();
  rig.host.close();
  bounce.host.close();
});

id('malformed or foreign states are rejected with an Error naming the problem, and change nothing', async () => {
  const rig = await makeRig();
  const p = await rig.add({ mode: 3, target: -14 });
  const before = await p.node.getState();
  const bad: Array<[unknown, RegExp]> = [
    [null, /LevelMatch state/],
    ['{"format":"levelmatch"}', /LevelMatch state/],
    [{ format: 'other', version: 1 }, /format/],
    [{ format: 'levelmatch', version: 99, parameters: {} }, /version/],
    [{ format: 'levelmatch', version: 1, parameters: { response: 'fast' } }, /response/],
    [{ format: 'levelmatch', version: 1, parameters: { target: NaN } }, /target/],
    [{ format: 'levelmatch', version: 1, parameters: {}, gain: 'x' }, /gain/],
  ];
  for (const [state, re] of bad) {
    let message = '';
    try {
      await p.node.setState(state);
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(message, re, `state ${JSON.stringify(state)} -> "${message}"`);
  }
  await rig.host.flush();
  assert.equal(await p.node.getState(), before);
  let createError = '';
  try {
    await rig.LevelMatch.createInstance(rig.groupId, rig.host.context, { format: 'levelmatch', version: 1, parameters: { mode: 'x' } });
  } catch (e) {
    createError = (e as Error).message;
  }
  assert.match(createError, /mode/);
  rig.assertClean();
  rig.host.close();
});

id.run();

// ---------------------------------------------------------------------------------------------------------------
const bad = suite('bad input and partners');

/** Puts a NaN on the left and an infinity on the right every 997 frames of [2 s, 3 s); returns how many. */
function injectNonFinite(input: Planar): number {
  let injected = 0;
  for (let i = 2 * FS; i < 3 * FS; i += 997) {
    input[0][i] = NaN;
    input[1][i + 1] = i % 2 ? Infinity : -Infinity;
    injected += 2;
  }
  return injected;
}

bad('NaN and infinite input samples come out as 0, are counted, and never reach the output or the meters', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 2 });
  const match = await rig.add({ mode: 1, link: 2 });
  const input = programme().map((x) => x.slice(0, 6 * FS));
  const injected = injectNonFinite(input);
  const run = await runChain(rig, input, ref, gainEffect(-4), match, 6);
  let finite = true;
  for (const x of run.output) for (const v of x) if (!Number.isFinite(v)) finite = false;
  assert.ok(finite, 'output finite');
  // The reference instance sees them first: it counts them and passes 0 in their place, so the match
  // instance downstream never sees one.
  const rr = ref.node.readout!;
  const rd = match.node.readout!;
  note(`NaN input: ${injected} injected, reference counted ${rr.nonFinite}, match ${rd.nonFinite}; gain ${rd.gain.applied.toFixed(3)} dB`);
  assert.is(rr.nonFinite, injected);
  assert.is(rd.nonFinite, 0);
  for (let i = 2 * FS; i < 3 * FS; i += 997) assert.is(run.reference[0][i], 0, 'NaN -> 0');
  assert.ok(Math.abs(rd.gain.applied - 4) < 0.1, 'the meters were not poisoned');
  // And straight into a match instance: counted there, output finite.
  const direct = await rig.add({ mode: 3 });
  const block = [new Float32Array(128).fill(NaN), new Float32Array(128).fill(Infinity)];
  const out = direct.inst.process([block]);
  for (const x of out) for (const v of x) assert.ok(Number.isFinite(v));
  rig.host.advance();
  for (let i = 0; i < 20; i++) {
    direct.inst.process([slice(input, i * 128, 128)]);
    rig.host.advance();
  }
  await rig.host.flush();
  assert.is(direct.node.readout!.nonFinite, 256);
  assert.ok(direct.node.readout!.status.nonFiniteInput);
  rig.assertClean();
  rig.host.close();
});

bad('unwatched references (the idle path: published by block copy, checked by the engine SIMD pass) replace and count NaN and infinities too', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 3 }, undefined, { watch: false });
  const duplicate = await rig.add({ mode: 0, link: 3 }, undefined, { watch: false }); // link 3 is taken: not published
  const match = await rig.add({ mode: 1, link: 3 });
  const input = programme().map((x) => x.slice(0, 6 * FS));
  const injected = injectNonFinite(input);
  const dupOut: Float32Array[] = [new Float32Array(6 * FS), new Float32Array(6 * FS)];
  const run = await runChain(rig, input, ref, gainEffect(-4), match, 6, {
    onQuantum: (q) => {
      const o = duplicate.inst.process([slice(input, q * 128, 128)]);
      for (let c = 0; c < 2; c++) dupOut[c].set(o[c], q * 128);
    },
  });
  for (const x of [...run.reference, ...run.output, ...dupOut]) for (const v of x) assert.ok(Number.isFinite(v), 'every output finite');
  for (let i = 2 * FS; i < 3 * FS; i += 997) {
    assert.is(run.reference[0][i], 0, 'NaN -> 0 (published reference)');
    assert.is(run.reference[1][i + 1], 0, 'Inf -> 0');
    assert.is(dupOut[0][i], 0, 'NaN -> 0 (duplicate reference)');
  }
  assert.is(run.reference[0][2 * FS + 1], input[0][2 * FS + 1], 'the rest unchanged');
  const rr = ref.node.readout!;
  const rd = duplicate.node.readout!;
  note(`unwatched references, NaN input: ${injected} injected; published counted ${rr.nonFinite}, duplicate ${rd.nonFinite}; match ${match.node.readout!.nonFinite}`);
  assert.is(rr.nonFinite, injected);
  assert.is(rd.nonFinite, injected);
  assert.ok(rd.status.duplicateReference);
  assert.is(match.node.readout!.nonFinite, 0, 'the match instance never sees one');
  assert.ok(Math.abs(match.node.readout!.gain.applied - 4) < 0.1, 'and matches');
  rig.assertClean();
  rig.host.close();
});

bad('a reference that is destroyed: its match instances hold their gain and report it; a new reference takes over', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 3 });
  const m1 = await rig.add({ mode: 1, link: 3 });
  const m2 = await rig.add({ mode: 1, link: 3 });
  const src = programme();
  const q = 128;
  const g1 = 10 ** (-5 / 20);
  const g2 = 10 ** (3 / 20);
  let live: typeof ref | null = ref;
  let next: typeof ref | null = null;
  let held = 0;
  // The new reference arrives at 8 s; its short-term window is full at 11 s, and the gain has settled by 15 s.
  for (let i = 0; i < (15 * FS) / q; i++) {
    if (i === (6 * FS) / q) {
      live!.node.destroy();
      await rig.host.flush();
      live = null;
    }
    if (i === Math.round((8 * FS) / q)) {
      held = m1.node.readout!.gain.engine;
      next = await rig.add({ mode: 0, link: 3 });
    }
    const block = slice(src, (i * q) % (src[0].length - q), q);
    if (live) live.inst.process([block]);
    if (next) next.inst.process([block.map((x) => x.map((v) => v * 0.5))]);
    m1.inst.process([block.map((x) => x.map((v) => v * g1))]);
    m2.inst.process([block.map((x) => x.map((v) => v * g2))]);
    rig.host.advance();
    if (i % 50 === 0) await rig.host.flush();
    if (i === Math.round((7.9 * FS) / q)) {
      await rig.host.flush();
      const r = m1.node.readout!;
      assert.ok(r.status.referenceLost && !r.status.linked, `status after the reference went away: ${JSON.stringify(r.status)}`);
    }
  }
  await rig.host.flush();
  note(`partner removal: m1 held ${held.toFixed(3)} dB (expected 5), m2 ${m2.node.readout!.gain.engine.toFixed(3)}; new reference (-6 dB): m1 ${m1.node.readout!.gain.engine.toFixed(3)} dB`);
  assert.ok(Math.abs(held - 5) < 0.05, `held ${held}`);
  assert.ok(m1.node.readout!.status.linked, 'linked again');
  assert.ok(Math.abs(m1.node.readout!.gain.engine - (5 - 6.02)) < 0.1, `follows the new reference: ${m1.node.readout!.gain.engine}`);
  rig.assertClean();
  rig.host.close();
});

bad('a reference that stops being processed (disconnected) is reported lost; two references on one link: the second is reported', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 4 });
  const dup = await rig.add({ mode: 0, link: 4 });
  const match = await rig.add({ mode: 1, link: 4 });
  const src = programme();
  for (let i = 0; i < (6 * FS) / 128; i++) {
    const block = slice(src, i * 128, 128);
    if (i < (4 * FS) / 128) ref.inst.process([block]);
    dup.inst.process([block]);
    match.inst.process([block.map((x) => x.map((v) => v * 0.5))]);
    rig.host.advance();
    if (i === Math.round((3.9 * FS) / 128)) {
      await rig.host.flush();
      assert.ok(match.node.readout!.status.linked);
      assert.ok(dup.node.readout!.status.duplicateReference, 'second reference reported');
      assert.ok(!ref.node.readout!.status.duplicateReference);
    }
    if (i % 50 === 0) await rig.host.flush();
  }
  await rig.host.flush();
  const r = match.node.readout!;
  assert.ok(r.status.referenceLost && !r.status.linked, JSON.stringify(r.status));
  assert.ok(Math.abs(r.gain.engine - 6.02) < 0.1, `holds ${r.gain.engine}`);
  rig.assertClean();
  rig.host.close();
});

bad('sidechain mode: input 1 is the reference; with no sidechain connected it reports no reference and holds', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const p = await rig.add({ mode: 2 });
  const src = programme();
  const q = 128;
  for (let i = 0; i < (8 * FS) / q; i++) {
    const block = slice(src, i * q, q);
    const side = i < (6 * FS) / q ? [block] : [];
    p.inst.process([block.map((x) => x.map((v) => v * 0.25)), ...side]);
    rig.host.advance();
    if (i % 50 === 0) await rig.host.flush();
    if (i === (6 * FS) / q - 1) {
      await rig.host.flush();
      assert.ok(Math.abs(p.node.readout!.gain.engine - 12.04) < 0.1, `sidechain match ${p.node.readout!.gain.engine}`);
    }
  }
  await rig.host.flush();
  assert.ok(p.node.readout!.status.noReference || p.node.readout!.status.referenceLost, JSON.stringify(p.node.readout!.status));
  assert.ok(Math.abs(p.node.readout!.gain.engine - 12.04) < 0.1, 'held');
  rig.assertClean();
  rig.host.close();
});

bad.run();

// ---------------------------------------------------------------------------------------------------------------
const many = suite('channels, rates, many instances');

many('1, 2, 6 (5.1) and 8 channels: the input readout equals the library meter of the same audio; disconnect/reconnect', async () => {
  for (const channels of [1, 2, 6, 8]) {
    const rig = await makeRig({ sampleRate: FS });
    const p = await rig.add({ mode: 0 }, { format: 'levelmatch', version: 1, parameters: { mode: 0 }, channels });
    // A reference instance measures its own readings only while they are watched (a readout listener).
    p.node.addEventListener('readout', () => {});
    await rig.host.flush();
    const src = Array.from({ length: channels }, (_, c) => sine(FS, 4, 200 + 100 * c, 0.1 + 0.02 * c, 1)[0]);
    const m = LoudnessMeter.createSync({ sampleRate: FS, channels });
    for (let i = 0; i < (4 * FS) / 128; i++) {
      const block = slice(src, i * 128, 128);
      const unplugged = i >= 200 && i < 220; // 20 quanta with the input disconnected: silence, no error
      const out = p.inst.process(unplugged ? [] : [block]);
      assert.is(out.length, channels);
      m.push(unplugged ? block.map((x) => new Float32Array(x.length)) : block);
      if (!unplugged) for (let c = 0; c < channels; c++) assert.is(out[c][5], block[c][5]);
      rig.host.advance();
    }
    await rig.host.flush();
    const want = m.result().shortTerm;
    const got = p.node.readout!.input.shortTerm;
    note(`${channels} channel(s): input S readout ${got.toFixed(3)} vs library ${want.toFixed(3)} LUFS`);
    assert.ok(Math.abs(got - want) < 0.05, `${channels} ch: ${got} vs ${want}`);
    rig.assertClean();
    rig.host.close();
  }
});

many('sample rates 22.05 and 192 kHz: a -10 dB effect is matched within 0.05 dB', async () => {
  for (const sr of [22050, 192000]) {
    const rig = await makeRig({ sampleRate: sr });
    const ref = await rig.add({ mode: 0, link: 1 });
    const match = await rig.add({ mode: 1, link: 1 });
    const run = await runChain(rig, steadyProgramme(sr, 8, 0.5), ref, gainEffect(-10), match, 8);
    note(`${sr} Hz: gain ${run.readout!.gain.engine.toFixed(3)} dB for a -10 dB effect`);
    assert.ok(Math.abs(run.readout!.gain.engine - 10) < 0.05);
    rig.assertClean();
    rig.host.close();
  }
});

many('16 link channels x (1 reference + 2 match instances) in one context, and the same links in a second context, stay apart', async () => {
  const rigA = await makeRig({ sampleRate: FS });
  const rigB = await makeRig({ sampleRate: FS, offline: true });
  const src = programme();
  type P = Awaited<ReturnType<typeof rigA.add>>;
  // Every link's reference at its own level (0, -0.5, ... -7.5 dB), so a match instance that heard another link's
  // reference would be at least 0.5 dB off; each match instance's input is its reference's audio plus its own
  // offset `db`, so the gain it should learn is -db whatever the reference's level.
  const groups: Array<{ ref: P; matches: P[]; refDb: number; db: number[] }> = [];
  for (let link = 1; link <= 16; link++) {
    groups.push({ ref: await rigA.add({ mode: 0, link }), matches: [await rigA.add({ mode: 1, link }), await rigA.add({ mode: 1, link })], refDb: -(link - 1) / 2, db: [-link / 2, link / 3] });
  }
  // Context B: link 1 has a reference 12 dB quieter; must not affect context A's link 1.
  const bRef = await rigB.add({ mode: 0, link: 1 });
  const bMatch = await rigB.add({ mode: 1, link: 1 });
  for (let i = 0; i < (6 * FS) / 128; i++) {
    const block = slice(src, i * 128, 128);
    for (const g of groups) {
      g.ref.inst.process([block.map((x) => x.map((v) => v * 10 ** (g.refDb / 20)))]);
      g.matches.forEach((m, k) => m.inst.process([block.map((x) => x.map((v) => v * 10 ** ((g.refDb + g.db[k]) / 20)))]));
    }
    bRef.inst.process([block.map((x) => x.map((v) => v / 4))]);
    bMatch.inst.process([block]);
    rigA.host.advance();
    rigB.host.advance();
    if (i % 100 === 0) {
      await rigA.host.flush();
      await rigB.host.flush();
    }
  }
  await rigA.host.flush();
  await rigB.host.flush();
  let worst = 0;
  for (const g of groups) g.matches.forEach((m, k) => (worst = Math.max(worst, Math.abs(m.node.readout!.gain.engine + g.db[k]))));
  note(`48 instances on 16 links: worst gain error ${worst.toFixed(4)} dB; second context link 1: ${bMatch.node.readout!.gain.engine.toFixed(3)} dB (expected -12.04)`);
  assert.ok(worst < 0.05, `${worst}`);
  assert.ok(Math.abs(bMatch.node.readout!.gain.engine + 12.04) < 0.05);
  rigA.assertClean();
  rigB.assertClean();
  rigA.host.close();
  rigB.host.close();
});

many.after(() => {
  console.log(`\n  measured (plugin lifecycle):\n    ${table.join('\n    ')}`);
});

many.run();
