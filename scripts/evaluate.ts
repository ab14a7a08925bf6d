// `npm run evaluate`: the gain law in the field (issue 9). Runs every scenario of host-test/field/scenarios.ts
// through the BUILT plugin in the headless host and prints, per scenario, for this version and for a plain
// one-pole ride of the same detector: the share of time within 0.5 and 1 LU, mean and worst error, the
// integrated difference, the time to settle after each jump, the momentary error at 1 s, the start-up burst
// (gM@1s, gburst: the same against the matched static output, the gain law's own part), the output's true peak
// over the ceiling and how far old peaks held the gain off (definitions: host-test/field/metrics.ts).
import { SCENARIOS, FS } from '../host-test/field/scenarios.ts';
import { runScenario } from '../host-test/field/run.ts';
import { evaluate, formatNote, formatRow, HEADER } from '../host-test/field/metrics.ts';

const only = process.argv[2] ? new RegExp(process.argv[2], 'i') : null;
console.log(`gain law in the field: ${FS} Hz stereo, plugin defaults unless stated; LU / dB / s\n`);
for (const s of SCENARIOS) {
  if (only && !only.test(s.name)) continue;
  const run = await runScenario(s, FS);
  console.log(`${s.name}${s.effect ? ` (${s.effect().name})` : ''}`);
  console.log(`  ${HEADER}`);
  const m = evaluate(run, run.output, FS);
  console.log(`  ${formatRow('levelmatch', m)}`);
  console.log(`  ${formatRow('one-pole', evaluate(run, run.plain, FS))}`);
  console.log(`  (${formatNote(m)})\n`);
}
