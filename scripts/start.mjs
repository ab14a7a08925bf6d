// `npm start`, until the demo host exists: meters a built-in 32 s programme (quiet verse, loud chorus) the
// way a live meter would, printing momentary and short-term loudness every second and the final readings.
import { LoudnessMeter } from '../dist/index.js';
import { programme } from './programme.mjs';

const SR = 48000;
const SECONDS = 32;
const QUANTUM = 128;
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-inf').padStart(7);
const bar = (lufs) => '#'.repeat(Math.max(0, Math.round((lufs + 40) / 1)));

const [l, r] = programme(SR, SECONDS);
const meter = await LoudnessMeter.create({ sampleRate: SR, channels: 2 });
console.log(`LevelMatch loudness core: built-in programme, ${SECONDS} s stereo at ${SR} Hz (verse/chorus every 8 s)\n`);
console.log('   time   momentary  short-term   (LUFS; bar from -40)');
for (let o = 0; o < l.length; o += QUANTUM) {
  meter.push([l.subarray(o, o + QUANTUM), r.subarray(o, o + QUANTUM)]);
  const end = o + QUANTUM;
  if (end % SR === 0) {
    const m = meter.result();
    console.log(`  ${String(end / SR).padStart(3)} s  ${fmt(m.momentary)}    ${fmt(m.shortTerm)}     ${bar(m.shortTerm)}`);
  }
}
const res = meter.result();
console.log(`
  Integrated        ${fmt(res.integrated)} LUFS
  Loudness range    ${fmt(res.range)} LU
  Momentary max     ${fmt(res.momentaryMax)} LUFS
  Short-term max    ${fmt(res.shortTermMax)} LUFS
  True peak         ${fmt(res.truePeak, 2)} dBTP   (L ${res.channelTruePeak[0].toFixed(2)}, R ${res.channelTruePeak[1].toFixed(2)})
  Sample peak       ${fmt(res.samplePeak, 2)} dBFS

Measure your own files: node bin/levelmatch.js measure FILE.wav`);
