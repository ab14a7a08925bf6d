/**
 * Issue 16 in the headless host (the built plugin): many processors of one scope share one WebAssembly instance;
 * engines of destroyed processors are reset and reused, so create/destroy cycles do not grow the memory; memory
 * growth (new engines) leaves the running processors' audio and readings exactly as without it; an unwatched
 * reference passes audio bit-exact without running its engine, and measures once watched.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IDENTIFIER } from '../../wam/identifier.ts';
import { makeRig, slice, type Plugin, type Rig } from './rig.ts';
// @ts-expect-error: a plain JS module without declarations
import { programme as makeProgramme } from '../../scripts/programme.mjs';

const FS = 48000;
const Q = 128;
const test = suite('many instances in one scope');
const notes: string[] = [];
const note = (s: string) => notes.push(s);

interface PoolStats { shards: number; engines: number; inUse: number; free: number; bytes: number; generations: number }
const poolStats = (rig: Rig): PoolStats =>
  rig.host.evaluate<PoolStats>(`webAudioModules.getModuleScope(${JSON.stringify(IDENTIFIER)}).levelmatchEnginePool.stats()`);

const programme = (seconds: number): Float32Array[] => (makeProgramme(FS, seconds) as Float32Array[]);

/** Runs ref -> x0.5 -> match for `quanta` quanta from `offset` (frames of `input`); returns the match's output. */
function runPair(rig: Rig, ref: Plugin, match: Plugin, input: Float32Array[], offset: number, quanta: number, out: Float32Array[]): void {
  for (let i = 0; i < quanta; i++) {
    const at = offset + i * Q;
    const r = ref.inst.process([slice(input, at, Q)]);
    const o = match.inst.process([r.map((x) => x.map((v) => v * 0.5))]);
    for (let c = 0; c < 2; c++) out[c].set(o[c], at);
    rig.host.advance();
  }
}

test('200 instances: 100 matched pairs, each on a link channel of its own (links 157..256), share one WebAssembly instance; every match instance matches its own reference; readouts from all', async () => {
  // A session of 100 tracks with a matched pair each (issue 16's field check: 16 link channels could not hold
  // 60). Each pair's reference is at its own level (0, -0.2, ... -19.8 dB) and its effect at its own gain
  // (-10..+10 dB), so a match instance that read another pair's reference would be 0.2 dB or more off.
  const rig = await makeRig({ sampleRate: FS });
  const pairs: { ref: Plugin; match: Plugin; level: number; effectDb: number; link: number }[] = [];
  for (let i = 0; i < 100; i++) {
    const link = 256 - i;
    pairs.push({
      ref: await rig.add({ mode: 0, link }), match: await rig.add({ mode: 1, link, maxBoost: 12, maxCut: 12 }),
      level: 10 ** ((-0.2 * i) / 20), effectDb: -10 + ((i * 7) % 21), link,
    });
  }
  const plugins = pairs.flatMap((p) => [p.ref, p.match]);
  const seen = new Set<number>();
  plugins.forEach((p, i) => p.node.addEventListener('readout', () => seen.add(i)));
  await rig.host.flush();
  const s = poolStats(rig);
  note(`200 instances on 100 links: ${s.shards} WebAssembly instance(s), ${s.engines} engines, ${(s.bytes / 1048576).toFixed(0)} MB`);
  assert.is(s.shards, 1);
  assert.is(s.engines, 200);
  assert.is(s.inUse, 200);
  const input = programme(3);
  const quanta = Math.floor((3 * FS) / Q);
  for (let q = 0; q < quanta; q++) {
    const block = slice(input, q * Q, Q);
    for (const p of pairs) {
      const r = p.ref.inst.process([block.map((x) => x.map((v) => v * p.level))]);
      const effect = 10 ** (p.effectDb / 20);
      p.match.inst.process([r.map((x) => x.map((v) => v * effect))]);
    }
    rig.host.advance();
    if (q % 100 === 0) await rig.host.flush();
  }
  await rig.host.flush();
  assert.is(seen.size, 200, 'a readout from every instance');
  let worst = 0;
  for (const p of pairs) {
    const r = p.match.node.readout!;
    assert.ok(r.status.linked, `link ${p.link}: linked`);
    assert.is(r.link, p.link);
    const err = Math.abs(r.gain.engine + p.effectDb);
    worst = Math.max(worst, err);
    assert.ok(err < 0.1, `link ${p.link}: gain ${r.gain.engine.toFixed(3)} dB, its own effect asks for ${-p.effectDb} dB`);
  }
  note(`100 pairs on links 157..256 after 3 s: worst |match gain - its own effect's inverse| ${worst.toFixed(4)} dB`);
  rig.assertClean();
  rig.host.close();
});

test('create/destroy cycles reuse engines: the memory does not grow after the first cycle', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const sizes: number[] = [];
  for (let cycle = 0; cycle < 8; cycle++) {
    const batch: Plugin[] = [];
    for (let i = 0; i < 24; i++) batch.push(await rig.add({ mode: i % 3, link: 1 + (i % 16) }));
    const block = slice(programme(1), 0, Q);
    for (let q = 0; q < 4; q++) {
      for (const p of batch) p.inst.process([block]);
      rig.host.advance();
    }
    for (const p of batch) p.node.destroy();
    await rig.host.flush();
    const s = poolStats(rig);
    sizes.push(s.bytes);
    assert.is(s.engines, 24, `cycle ${cycle}: engines created so far`);
    assert.is(s.inUse, 0);
  }
  note(`8 cycles of 24 instances created and destroyed: memory ${sizes.map((b) => (b / 1048576).toFixed(0)).join(', ')} MB`);
  assert.ok(sizes.every((b) => b === sizes[0]), 'constant memory');
  rig.assertClean();
  rig.host.close();
});

test('memory growth while a pair runs, and a reused engine: audio and readouts exactly as in an undisturbed host', async () => {
  const input = programme(6);
  const frames = 5 * FS - ((5 * FS) % Q);
  const runs: { out: Float32Array[]; readout: unknown; generations: number }[] = [];
  for (const disturbed of [false, true]) {
    const rig = await makeRig({ sampleRate: FS });
    if (disturbed) {
      // An engine used and destroyed first: the pair's engines then come one from the free list, one new.
      const used = await rig.add({ mode: 1, link: 9, maxBoost: 3 });
      for (let q = 0; q < 50; q++) {
        used.inst.process([slice(input, q * Q, Q).map((x) => x.map((v) => v * 3))]);
        rig.host.advance();
      }
      used.node.destroy();
      await rig.host.flush();
    }
    const ref = await rig.add({ mode: 0, link: 9 });
    const match = await rig.add({ mode: 1, link: 9 });
    match.node.addEventListener('readout', () => {});
    await rig.host.flush();
    const out = [new Float32Array(frames), new Float32Array(frames)];
    const before = poolStats(rig).generations;
    const half = Math.floor(frames / Q / 2);
    runPair(rig, ref, match, input, 0, half, out);
    // 60 more instances: the memory grows (every view detached) between two quanta of the pair.
    if (disturbed) for (let i = 0; i < 60; i++) await rig.add({ mode: 3 });
    await rig.host.flush();
    runPair(rig, ref, match, input, half * Q, frames / Q - half, out);
    await rig.host.flush();
    const { frame: _f, ...readout } = match.node.readout as unknown as Record<string, unknown>;
    runs.push({ out, readout, generations: poolStats(rig).generations - before });
    rig.assertClean();
    rig.host.close();
  }
  const [plain, disturbed] = runs;
  note(`memory growths during the disturbed run: ${disturbed.generations} (views rebuilt once per growth for all processors)`);
  assert.ok(disturbed.generations > 0, 'the memory did grow');
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < frames; i++) {
      if (plain.out[c][i] !== disturbed.out[c][i]) assert.unreachable(`channel ${c} differs at frame ${i}`);
    }
  }
  assert.equal(disturbed.readout, plain.readout);
});

test('an unwatched reference passes audio bit-exact without its engine; watched, it measures', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 3 }, undefined, { watch: false });
  const input = programme(3);
  const quanta = Math.floor(input[0].length / Q);
  for (let q = 0; q < quanta / 2; q++) {
    const block = slice(input, q * Q, Q);
    const o = ref.inst.process([block]);
    for (let c = 0; c < 2; c++) for (let i = 0; i < Q; i++) if (o[c][i] !== block[c][i]) assert.unreachable('not bit-exact');
    rig.host.advance();
  }
  await rig.host.flush();
  const idle = ref.node.readout!;
  assert.ok(Number.isNaN(idle.input.shortTerm), 'not measured while unwatched');
  assert.ok(idle.status.linked);
  ref.node.addEventListener('readout', () => {});
  await rig.host.flush();
  for (let q = Math.ceil(quanta / 2); q < quanta; q++) {
    ref.inst.process([slice(input, q * Q, Q)]);
    rig.host.advance();
  }
  await rig.host.flush();
  const watched = ref.node.readout!;
  note(`reference: unwatched S ${idle.input.shortTerm}, watched (1.5 s) M ${watched.input.momentary.toFixed(2)} LUFS, true peak ${watched.input.truePeak.toFixed(2)} dBTP`);
  assert.ok(Number.isFinite(watched.input.momentary) && Number.isFinite(watched.input.truePeak));
  rig.assertClean();
  rig.host.close();
});

test.after(() => console.log(`\n  measured (scale):\n    ${notes.join('\n    ')}`));
test.run();
