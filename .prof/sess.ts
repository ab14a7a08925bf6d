// Node session: PAIRS reference/match pairs + TARGETS targets through the harness, timed; for perf.
import { performance } from 'node:perf_hooks';
import { createHost, type Instance } from '../host-test/harness/host.ts';
// @ts-expect-error plain js
import { programme } from '../scripts/programme.mjs';
const SR = 48000, Q = 128;
const PAIRS = Number(process.env.PAIRS ?? 112), TARGETS = Number(process.env.TARGETS ?? 32);
const QUANTA = Number(process.env.QUANTA ?? 3000);
const PLUGIN = process.env.PLUGIN ?? undefined;
const host = await createHost({ sampleRate: SR, quantum: Q, quiet: true });
const [groupId] = await host.initializeWamHost();
const { default: LM } = await host.importPlugin(PLUGIN as any);
const st = (p: Record<string, number>) => ({ format: 'levelmatch', version: 1, parameters: p });
const refs: Instance[] = [], matches: Instance[] = [], targets: Instance[] = [];
for (let i = 0; i < PAIRS; i++) {
  refs.push(host.instanceOf((await LM.createInstance(groupId, host.context, st({ mode: 0, link: 1 + i }))).audioNode));
  matches.push(host.instanceOf((await LM.createInstance(groupId, host.context, st({ mode: 1, link: 1 + i }))).audioNode));
}
for (let i = 0; i < TARGETS; i++) targets.push(host.instanceOf((await LM.createInstance(groupId, host.context, st({ mode: 3, target: -18 }))).audioNode));
await host.flush();
const [L, R] = programme(SR, 30) as [Float32Array, Float32Array];
const inp = [new Float32Array(Q), new Float32Array(Q)];
let cur = 0;
const fx = [[new Float32Array(Q), new Float32Array(Q)]];
const t = { ref: 0, match: 0, target: 0 };
function quantum(timed: boolean) {
  if (cur + Q > L.length) cur = 0;
  inp[0].set(L.subarray(cur, cur + Q)); inp[1].set(R.subarray(cur, cur + Q)); cur += Q;
  let t0 = timed ? performance.now() : 0;
  for (let i = 0; i < PAIRS; i++) {
    const o = refs[i].process([inp]);
    for (let c = 0; c < 2; c++) for (let k = 0; k < Q; k++) fx[0][c][k] = o[c][k] * 0.5;
    if (timed) { const t1 = performance.now(); t.ref += t1 - t0; t0 = t1; }
    matches[i].process(fx);
    if (timed) { const t1 = performance.now(); t.match += t1 - t0; t0 = t1; }
  }
  for (let i = 0; i < TARGETS; i++) targets[i].process([inp]);
  if (timed) t.target += performance.now() - t0;
  host.advance();
}
for (let n = 0; n < 1200; n++) { quantum(false); if (n % 200 === 199) await host.flush(); }
console.log("warm done", performance.now().toFixed(0), process.uptime().toFixed(2));
const w0 = performance.now();
for (let n = 0; n < QUANTA; n++) { quantum(process.env.TIMED === '1'); if (n % 200 === 199) await host.flush(); }
const ms = performance.now() - w0;
console.log(`${PAIRS * 2 + TARGETS} instances, ${QUANTA} quanta: ${(ms * 1000 / QUANTA / (PAIRS * 2 + TARGETS)).toFixed(2)} µs/inst/quantum`);
if (process.env.TIMED === '1') console.log(`ref ${(t.ref * 1000 / QUANTA / PAIRS).toFixed(2)} match ${(t.match * 1000 / QUANTA / PAIRS).toFixed(2)} target ${(t.target * 1000 / QUANTA / TARGETS).toFixed(2)} µs`);
const m = (matches[0].node as any).readout; console.log('match0 gain', m?.gain?.applied, m?.status?.linked);
