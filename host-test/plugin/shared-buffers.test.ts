/**
 * Issue 16: every engine of one WebAssembly instance shares the buffers a call's audio passes through (input,
 * aligned reference, output, gain ramp, the latency detector's staging: dsp/block-scratch.ts). That is safe only
 * if no engine reads from them what its own call did not write. Checked the way a page uses them: groups of
 * instances of every kind (linked pairs with a delaying effect and automatic latency, mono, 3 and 4 channels,
 * idle and watched references, sidechain, target with its ceiling, track mode without a track, listen and delta
 * switched mid-quantum, a NaN burst) run interleaved in one scope, quantum by quantum, and each group runs alone
 * in a scope of its own. Every output sample and every readout must be identical: another instance's audio in a
 * shared buffer would show as a difference.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRig, type Plugin, type Rig } from './rig.ts';
// @ts-expect-error: a plain JS module without declarations
import { programme as makeProgramme } from '../../scripts/programme.mjs';

const FS = 48000;
const Q = 128;
const SECONDS = 6;
const QUANTA = (SECONDS * FS) / Q;
const test = suite('buffers shared by the engines of one instance');

const base = makeProgramme(FS, SECONDS + 1) as Float32Array[];

/** Channel c of a group's programme: the shared programme shifted, scaled and mixed per group (not alike). */
function source(group: number, channels: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const out = new Float32Array(SECONDS * FS);
    const shift = 4801 * group + 333 * c;
    const g = 0.3 + 0.15 * group + 0.1 * c;
    let seed = 1 + group * 7919 + c * 104729;
    for (let i = 0; i < out.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      out[i] = g * base[c & 1][i + shift] + 0.02 * (seed / 2 ** 32 - 0.5);
    }
    return out;
  });
}

interface Stage {
  plugin: Plugin;
  /** The stage's input for quantum q (the group's programme, or an earlier stage's output through an effect). */
  input(q: number, outputs: Map<string, Float32Array[]>): Float32Array[][];
  name: string;
}

interface Group {
  stages: Stage[];
}

const block = (x: Float32Array[], q: number) => x.map((ch) => ch.subarray(q * Q, (q + 1) * Q));

/** A delay of `frames` and a gain, as an effect between a reference and its match (per group, its own memory). */
function delayEffect(channels: number, frames: number, gain: number) {
  const line = Array.from({ length: channels }, () => new Float32Array(frames + Q));
  return (x: Float32Array[]): Float32Array[] =>
    x.map((ch, c) => {
      const l = line[c];
      l.copyWithin(0, Q);
      l.set(ch, frames);
      return Float32Array.from(l.subarray(0, Q), (v) => v * gain);
    });
}

/** Builds the groups in `rig`; `only` limits it to one group (the same instances, made the same way). */
async function buildGroups(rig: Rig, only?: number): Promise<Group[]> {
  const groups: Group[] = [];
  const want = (g: number) => only === undefined || only === g;
  const state = (channels: number, parameters: Record<string, number>) => ({ format: 'levelmatch', version: 1, channels, parameters });
  const at = (seconds: number, extra: number) => rig.host.currentTime + seconds + extra / FS;

  // 0: a watched pair around a 300-frame delay and -6 dB (the detector finds it), listen and delta switched mid-quantum.
  if (want(0)) {
    const src = source(0, 2);
    const ref = await rig.add({}, state(2, { mode: 0, link: 1 }));
    const match = await rig.add({}, state(2, { mode: 1, link: 1 }));
    const fx = delayEffect(2, 300, 0.5);
    match.node.scheduleEvents(
      { type: 'wam-automation', time: at(3, 37), data: { id: 'listen', value: 1, normalized: false } },
      { type: 'wam-automation', time: at(4, 91), data: { id: 'listen', value: 2, normalized: false } },
      { type: 'wam-automation', time: at(5, 5), data: { id: 'listen', value: 0, normalized: false } },
    );
    groups.push({ stages: [
      { name: 'pair 0 reference', plugin: ref, input: (q) => [block(src, q)] },
      { name: 'pair 0 match', plugin: match, input: (_q, o) => [fx(o.get('pair 0 reference')!)] },
    ] });
  }
  // 1: a mono pair, both unwatched (an idle reference), +6 dB between them.
  if (want(1)) {
    const src = source(1, 1);
    const ref = await rig.add({}, state(1, { mode: 0, link: 2 }), { watch: false });
    const match = await rig.add({}, state(1, { mode: 1, link: 2 }), { watch: false });
    groups.push({ stages: [
      { name: 'pair 1 reference', plugin: ref, input: (q) => [block(src, q)] },
      { name: 'pair 1 match', plugin: match, input: (_q, o) => [o.get('pair 1 reference')!.map((x) => x.map((v) => v * 2))] },
    ] });
  }
  // 2: a 3-channel pair (a padding lane in the meters) with a NaN burst in the reference's programme.
  if (want(2)) {
    const src = source(2, 3);
    for (let i = 2 * FS; i < 2 * FS + 700; i += 7) src[1][i] = NaN;
    const ref = await rig.add({}, state(3, { mode: 0, link: 3 }));
    const match = await rig.add({}, state(3, { mode: 1, link: 3, autoLatency: 0 }));
    groups.push({ stages: [
      { name: 'pair 2 reference', plugin: ref, input: (q) => [block(src, q)] },
      { name: 'pair 2 match', plugin: match, input: (_q, o) => [o.get('pair 2 reference')!.map((x) => x.map((v) => v * 0.7))] },
    ] });
  }
  // 3: a 4-channel target instance, ceiling on, bypass switched mid-quantum.
  if (want(3)) {
    const src = source(3, 4).map((x) => x.map((v) => v * 3));
    const t = await rig.add({}, state(4, { mode: 3, target: -14, maxBoost: 24 }));
    t.node.scheduleEvents(
      { type: 'wam-automation', time: at(2, 64), data: { id: 'bypass', value: 1, normalized: false } },
      { type: 'wam-automation', time: at(2.5, 3), data: { id: 'bypass', value: 0, normalized: false } },
    );
    groups.push({ stages: [{ name: 'target', plugin: t, input: (q) => [block(src, q)] }] });
  }
  // 4: sidechain (its reference on input 1), and track mode with no track loaded (its detector gets silence).
  if (want(4)) {
    const main = source(4, 2);
    const side = source(5, 2);
    const sc = await rig.add({}, state(2, { mode: 2 }));
    const track = await rig.add({}, state(2, { mode: 4 }));
    groups.push({ stages: [
      { name: 'sidechain', plugin: sc, input: (q) => [block(main, q), block(side, q)] },
      { name: 'track', plugin: track, input: (q) => [block(side, q)] },
    ] });
  }
  await rig.host.flush();
  return groups;
}

interface Run { outputs: Map<string, Float32Array[]>; readouts: Map<string, string>; latency: Map<string, string> }

/** Runs the groups' stages interleaved, quantum by quantum (group 0's first stage, group 1's first stage, ...). */
async function run(rig: Rig, groups: Group[]): Promise<Run> {
  const stages = groups.flatMap((g) => g.stages.map((s, k) => ({ s, k })));
  stages.sort((a, b) => a.k - b.k); // every group's first stage, then every second stage: the most interleaving
  const recorded = new Map<string, Float32Array[]>();
  for (const { s } of stages) recorded.set(s.name, Array.from({ length: 4 }, () => new Float32Array(QUANTA * Q)));
  for (let q = 0; q < QUANTA; q++) {
    const latest = new Map<string, Float32Array[]>();
    for (const { s } of stages) {
      const out = s.plugin.inst.process(s.input(q, latest)).map((x) => Float32Array.from(x));
      latest.set(s.name, out);
      out.forEach((x, c) => recorded.get(s.name)![c].set(x, q * Q));
    }
    rig.host.advance();
    if (q % 100 === 99) await rig.host.flush();
  }
  await rig.host.flush();
  const readouts = new Map<string, string>();
  const latency = new Map<string, string>();
  for (const { s } of stages) {
    readouts.set(s.name, JSON.stringify(s.plugin.node.readout));
    const l = s.plugin.node.readout?.latency;
    latency.set(s.name, l === undefined ? 'none' : `${l.source} ${l.appliedFrames}`);
  }
  return { outputs: recorded, readouts, latency };
}

test('groups of every kind interleaved in one scope sound and read exactly as each group alone', async () => {
  const together = await makeRig({ sampleRate: FS });
  const all = await run(together, await buildGroups(together));
  together.assertClean();
  together.host.close();
  // The detectors (and so their shared staging) did their work: both automatic pairs found their effect's delay.
  assert.is(all.latency.get('pair 0 match'), 'detected 300', 'pair 0: the 300-frame delay detected');
  assert.is(all.latency.get('pair 1 match'), 'detected 0', 'pair 1: no delay, detected');
  let compared = 0;
  for (let g = 0; g < 5; g++) {
    const alone = await makeRig({ sampleRate: FS });
    const own = await run(alone, await buildGroups(alone, g));
    alone.assertClean();
    alone.host.close();
    for (const [name, out] of own.outputs) {
      const shared = all.outputs.get(name)!;
      for (let c = 0; c < out.length; c++) {
        const a = out[c];
        const b = shared[c];
        let first = -1;
        for (let i = 0; i < a.length && first < 0; i++) if (!Object.is(a[i], b[i])) first = i;
        assert.is(first, -1, `${name} channel ${c}: first difference at frame ${first} (${a[first]} alone, ${b[first]} shared)`);
        compared += a.length;
      }
      const r = own.readouts.get(name)!;
      assert.ok(r !== 'null', `${name}: a readout`);
      assert.is(all.readouts.get(name), r, `${name}: the same readout`);
    }
  }
  console.log(`  9 instances in 5 groups, ${SECONDS} s: ${compared} output samples identical, alone and interleaved`);
});

test.run();
